import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { platformOf, readerOf, type SubgraphContext } from "../../shared/context.ts";
import { notFound } from "../../shared/errors.ts";
import { addExternalAccount } from "../service/add-external-account.ts";
import { removeExternalAccount } from "../service/remove-external-account.ts";
import { setDefaultExternalAccount } from "../service/set-default-external-account.ts";
import { accountLoader } from "./account.loader.ts";
import { Account } from "./account.type.ts";
import { AddExternalAccountInput } from "./external-account.input.ts";
import { externalAccountLoader, externalAccountsOfLoader } from "./external-account.loader.ts";
import { ExternalAccount } from "./external-account.type.ts";

/** `_entities` for ExternalAccount (Payout.destination): other tenants' ids resolve to null. */
export async function resolveExternalAccountReference(
  reference: { id: string },
  context: SubgraphContext,
): Promise<ExternalAccount | null> {
  const row = await externalAccountLoader(context).load(reference.id);
  return row ? ExternalAccount.from(row) : null;
}

@ArgsType()
class AddExternalAccountArgs {
  @Field(() => ID, { description: "The platform's own account or one of its connected accounts." })
  accountId!: string;

  @Field(() => AddExternalAccountInput)
  input!: AddExternalAccountInput;

  @Field(() => String, { description: "1..255 characters, scoped to the caller; a replay returns the first result." })
  idempotencyKey!: string;
}

@Resolver(() => ExternalAccount)
export class ExternalAccountResolver {
  @Query(() => ExternalAccount, { nullable: true, description: "A bank account, removed ones included." })
  async externalAccount(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<ExternalAccount> {
    const row = await externalAccountLoader(context).load(id);
    if (!row) throw notFound("external account", id);
    return ExternalAccount.from(row);
  }

  @FieldResolver(() => Account, { description: "The account it belongs to." })
  async account(@Root() externalAccount: ExternalAccount, @Ctx() context: SubgraphContext): Promise<Account> {
    const row = await accountLoader(context).load(externalAccount.accountId);
    if (!row) throw notFound("account", externalAccount.accountId);
    return Account.from(row);
  }

  @Mutation(() => ExternalAccount, { description: "Attaches a bank account to an account (the platform's own, or a connected account)." })
  async addExternalAccount(
    @Args(() => AddExternalAccountArgs) { accountId, input, idempotencyKey }: AddExternalAccountArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<ExternalAccount> {
    return ExternalAccount.from(await addExternalAccount(context.deps, platformOf(context), accountId, input, idempotencyKey));
  }

  @Mutation(() => ExternalAccount, {
    description: "Stops payouts to a bank account. Refused for the default of a currency that has other bank accounts.",
  })
  async removeExternalAccount(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<ExternalAccount> {
    return ExternalAccount.from(await removeExternalAccount(context.deps, platformOf(context), id));
  }

  @Mutation(() => ExternalAccount, { description: "Makes a bank account the default for its currency." })
  async setDefaultExternalAccount(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<ExternalAccount> {
    return ExternalAccount.from(await setDefaultExternalAccount(context.deps, platformOf(context), id));
  }
}

@Resolver(() => Account)
export class AccountExternalAccountsResolver {
  @FieldResolver(() => [ExternalAccount], { description: "Active bank accounts, newest first (last4, bankName, country, currency)." })
  async externalAccounts(@Root() account: Account, @Ctx() context: SubgraphContext): Promise<ExternalAccount[]> {
    if (!readerOf(context)) return [];
    return (await externalAccountsOfLoader(context).load(account.id)).map(ExternalAccount.from);
  }
}
