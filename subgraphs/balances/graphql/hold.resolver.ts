import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from "type-graphql";
import { platformOf, readerOf, type SubgraphContext } from "../../shared/context.ts";
import { idArgument, notFound } from "../../shared/errors.ts";
import { PageArgs } from "../../shared/graphql/page-args.ts";
import { createdBounds } from "../../shared/created-range.ts";
import { CreatedRange } from "../../shared/graphql/created-range.ts";
import { emptyConnection, pageRequest, toConnection } from "../../shared/graphql/pagination.ts";
import { CurrencyScalar, DateTimeScalar, MinorUnitsScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import type { HoldStatus } from "../domain/holds.ts";
import { captureHold } from "../service/capture-hold.ts";
import { createHold } from "../service/create-hold.ts";
import { accountHolds, findHolds } from "../service/hold-records.ts";
import { releaseHold } from "../service/release-hold.ts";
import { BalancesAccount } from "./account.type.ts";
import { Hold, HoldConnection, HoldStatusEnum } from "./hold.type.ts";

@InputType({ description: "Reserves part of an account's available balance." })
class CreateHoldInput {
  @Field(() => ID, { description: "The platform itself or one of its connected accounts." })
  accountId!: string;

  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => CurrencyScalar)
  currency!: Currency;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "At least a minute and at most HOLD_MAX_EXPIRY_MS (30 days by default) ahead; omitted: 7 days from now.",
  })
  expiresAt?: Date | null;
}

@ArgsType()
class HoldsArgs extends PageArgs {
  @Field(() => HoldStatusEnum, { nullable: true })
  status?: HoldStatus | null;

  @Field(() => CreatedRange, { nullable: true })
  created?: CreatedRange | null;
}

export function holdLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("holds.byId", (ids: readonly string[]) => findHolds(context.deps.db.sql, principal, ids));
}

export async function resolveHoldReference(reference: { id: string }, context: SubgraphContext): Promise<Hold | null> {
  const row = await holdLoader(context).load(reference.id);
  return row ? Hold.from(row) : null;
}

@Resolver(() => Hold)
export class HoldResolver {
  @Query(() => Hold, { nullable: true })
  async hold(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<Hold> {
    const row = await holdLoader(context).load(id);
    if (!row) throw notFound("hold", id);
    return Hold.from(row);
  }

  @Mutation(() => Hold, {
    description: "Moves part of an account's available balance to its held balance at once, until captured, released or expired.",
  })
  async createHold(
    @Arg("input", () => CreateHoldInput) input: CreateHoldInput,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<Hold> {
    const accountId = idArgument("account", input.accountId, "account");
    return Hold.from(await createHold(context.deps, platformOf(context), { ...input, accountId }, idempotencyKey));
  }

  @Mutation(() => Hold, {
    description: "Moves up to the held amount (once) to an account of the platform, the platform itself by default, and releases the rest.",
  })
  async captureHold(
    @Arg("id", () => ID) id: string,
    @Arg("amount", () => MinorUnitsScalar) amount: bigint,
    @Arg("destinationAccountId", () => ID, { nullable: true }) destinationAccountId: string | null | undefined,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<Hold> {
    const holdId = idArgument("hold", id, "hold");
    const destination = destinationAccountId ? idArgument("account", destinationAccountId, "account") : undefined;
    return Hold.from(
      await captureHold(context.deps, platformOf(context), holdId, { amount, destinationAccountId: destination }, idempotencyKey),
    );
  }

  @Mutation(() => Hold, { description: "Gives all of an ACTIVE hold back to the account's available balance." })
  async releaseHold(
    @Arg("id", () => ID) id: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<Hold> {
    const holdId = idArgument("hold", id, "hold");
    return Hold.from(await releaseHold(context.deps, platformOf(context), holdId, idempotencyKey));
  }
}

// Its own resolver class for BalancesAccount, beside BalancesAccountResolver.
@Resolver(() => BalancesAccount)
export class HoldsAccountResolver {
  @FieldResolver(() => HoldConnection, { description: "The account's holds, newest first, optionally of one status, created in a range." })
  async holds(
    @Root() account: BalancesAccount,
    @Args(() => HoldsArgs) args: HoldsArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<HoldConnection> {
    const created = args.created ? createdBounds(args.created) : undefined;
    const principal = readerOf(context);
    if (!principal) return emptyConnection();
    const page = pageRequest(args);
    const rows = await accountHolds(context.deps.db.sql, principal, account.id, page, args.status ?? undefined, created);
    return toConnection(rows, page, Hold.from);
  }
}
