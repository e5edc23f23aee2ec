import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { platformOf, readerOf, type SubgraphContext } from "../../shared/context.ts";
import { idArgument, notFound } from "../../shared/errors.ts";
import { PageArgs } from "../../shared/graphql/page-args.ts";
import { emptyConnection, pageRequest, toConnection } from "../../shared/graphql/pagination.ts";
import { cancelPayout } from "../service/cancel-payout.ts";
import { createPayout } from "../service/create-payout.ts";
import { accountPayouts, payoutsByIds } from "../service/read-payouts.ts";
import type { PayoutStatus } from "../store.ts";
import { CreatePayoutInput } from "./payout.input.ts";
import { Payout, PayoutConnection, PayoutStatusEnum } from "./payout.type.ts";
import { PayoutsAccount } from "./references.type.ts";
import { createdBounds } from "../../shared/created-range.ts";
import { CreatedRange } from "../../shared/graphql/created-range.ts";

@ArgsType()
class PayoutsArgs extends PageArgs {
  @Field(() => PayoutStatusEnum, { nullable: true })
  status?: PayoutStatus | null;

  @Field(() => CreatedRange, { nullable: true })
  created?: CreatedRange | null;
}

export function payoutLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("payouts.byId", (ids: readonly string[]) => payoutsByIds(context.deps, principal, ids));
}

export async function resolvePayoutReference(reference: { id: string }, context: SubgraphContext): Promise<Payout | null> {
  const row = await payoutLoader(context).load(reference.id);
  return row ? Payout.from(row) : null;
}

@Resolver(() => Payout)
export class PayoutResolver {
  @Query(() => Payout, { nullable: true })
  async payout(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<Payout> {
    const row = await payoutLoader(context).load(id);
    if (!row) throw notFound("payout", id);
    return Payout.from(row);
  }

  @Mutation(() => Payout, {
    description:
      "Sends money from an account's available balance to one of its bank accounts. Debits amount plus fee at once; " +
      "the payout then moves PENDING -> IN_TRANSIT -> PAID (or FAILED, crediting amount and fee back).",
  })
  async createPayout(
    @Arg("input", () => CreatePayoutInput) input: CreatePayoutInput,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<Payout> {
    const accountId = idArgument("account", input.accountId, "account");
    const destinationId = input.destinationId ? idArgument("bankAccount", input.destinationId, "external account") : undefined;
    return Payout.from(await createPayout(context.deps, platformOf(context), { ...input, accountId, destinationId }, idempotencyKey));
  }

  @Mutation(() => Payout, {
    description: "Cancels a PENDING payout and credits amount and fee back (INVALID_STATE once it is in transit).",
  })
  async cancelPayout(
    @Arg("id", () => ID) id: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<Payout> {
    return Payout.from(await cancelPayout(context.deps, platformOf(context), id, idempotencyKey));
  }
}

@Resolver(() => PayoutsAccount)
export class PayoutsAccountResolver {
  @FieldResolver(() => PayoutConnection, { description: "Newest first, optionally of one status, created in a range." })
  async payouts(
    @Root() account: PayoutsAccount,
    @Args(() => PayoutsArgs) args: PayoutsArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<PayoutConnection> {
    const created = args.created ? createdBounds(args.created) : undefined;
    const principal = readerOf(context);
    if (!principal) return emptyConnection();
    const page = pageRequest(args);
    const rows = await accountPayouts(context.deps, principal, account.id, page, args.status ?? undefined, created);
    return toConnection(rows, page, Payout.from);
  }
}
