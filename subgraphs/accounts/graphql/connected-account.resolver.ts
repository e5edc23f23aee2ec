import { Arg, Args, ArgsType, Ctx, Field, ID, Mutation, Resolver } from "type-graphql";
import { platformOf, type SubgraphContext } from "../../shared/context.ts";
import { closeAccount } from "../service/close-account.ts";
import { createConnectedAccount } from "../service/create-connected-account.ts";
import { submitVerification } from "../service/submit-verification.ts";
import { updateConnectedAccount } from "../service/update-connected-account.ts";
import { Account } from "./account.type.ts";
import { CreateConnectedAccountInput, SubmitVerificationInput, UpdateConnectedAccountInput } from "./connected-account.input.ts";

// Argument classes keep the arguments in the order schema/api.graphql publishes them.
@ArgsType()
class CreateConnectedAccountArgs {
  @Field(() => CreateConnectedAccountInput)
  input!: CreateConnectedAccountInput;

  @Field(() => String, { description: "1..255 characters, scoped to the caller; a replay returns the first result." })
  idempotencyKey!: string;
}

@ArgsType()
class UpdateConnectedAccountArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => UpdateConnectedAccountInput)
  input!: UpdateConnectedAccountInput;
}

@ArgsType()
class SubmitVerificationArgs {
  @Field(() => ID)
  accountId!: string;

  @Field(() => SubmitVerificationInput)
  input!: SubmitVerificationInput;
}

@Resolver()
export class ConnectedAccountResolver {
  @Mutation(() => Account, { description: "A new connected account of the key's mode, PENDING_VERIFICATION until verified." })
  async createConnectedAccount(
    @Args(() => CreateConnectedAccountArgs) { input, idempotencyKey }: CreateConnectedAccountArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<Account> {
    return Account.from(await createConnectedAccount(context.deps, platformOf(context), input, idempotencyKey));
  }

  @Mutation(() => Account, { description: "Changes a connected account's display name, email or metadata." })
  async updateConnectedAccount(
    @Args(() => UpdateConnectedAccountArgs) { id, input }: UpdateConnectedAccountArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<Account> {
    return Account.from(await updateConnectedAccount(context.deps, platformOf(context), id, input));
  }

  @Mutation(() => Account, {
    description: "Closes a connected account for good: no payouts, no changes. Closing it again changes nothing.",
  })
  async closeAccount(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<Account> {
    return Account.from(await closeAccount(context.deps, platformOf(context), id));
  }

  @Mutation(() => Account, { description: "Verification details of a connected account (simulated KYC in test mode)." })
  async submitVerification(
    @Args(() => SubmitVerificationArgs) { accountId, input }: SubmitVerificationArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<Account> {
    return Account.from(await submitVerification(context.deps, platformOf(context), accountId, input));
  }
}
