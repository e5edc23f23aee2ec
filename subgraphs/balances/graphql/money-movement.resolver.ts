import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from "type-graphql";
import { platformOf, readerOf, type SubgraphContext } from "../../shared/context.ts";
import { createdBounds } from "../../shared/created-range.ts";
import { CreatedRange } from "../../shared/graphql/created-range.ts";
import { PageArgs } from "../../shared/graphql/page-args.ts";
import { emptyConnection, pageRequest, toConnection } from "../../shared/graphql/pagination.ts";
import { parseId } from "../../shared/ids.ts";
import { CurrencyScalar, MinorUnitsScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { createTopup } from "../service/create-topup.ts";
import { createTransfer } from "../service/create-transfer.ts";
import { accountTopups, findTopups } from "../service/topup-records.ts";
import { accountTransfers, findTransfers } from "../service/transfer-records.ts";
import { badInput, idArgument, notFound } from "../../shared/errors.ts";
import { balanceTransactionLoader } from "./balance-transaction.resolver.ts";
import { BalanceTransaction } from "./balance-transaction.type.ts";
import { BalancesAccount } from "./account.type.ts";
import { Topup, TopupConnection, TopupStatusEnum } from "./topup.type.ts";
import { Transfer, TransferConnection } from "./transfer.type.ts";

@InputType()
class CreateTopupInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => MinorUnitsScalar, { description: 'Minor units, e.g. "1050" for 10.50 USD.' })
  amount!: bigint;

  @Field(() => CurrencyScalar, { description: "A fiat currency." })
  currency!: Currency;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
class CreateTransferInput {
  @Field(() => ID, { description: "A connected account of the platform." })
  destinationAccountId!: string;

  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => CurrencyScalar, { description: "The destination's default currency." })
  currency!: Currency;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

async function loadBalanceTransaction(context: SubgraphContext, id: string): Promise<BalanceTransaction> {
  const row = await balanceTransactionLoader(context).load(id);
  if (!row) throw notFound("balance transaction", id);
  return BalanceTransaction.from(row);
}

@Resolver(() => Topup)
export class TopupResolver {
  @Mutation(() => Topup, { description: "Adds funds to an account: pending at once, available when settled." })
  async createTopup(
    @Arg("input", () => CreateTopupInput) input: CreateTopupInput,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<Topup> {
    const accountId = idArgument("account", input.accountId, "account");
    return Topup.from(await createTopup(context.deps, platformOf(context), { ...input, accountId }, idempotencyKey));
  }

  @Query(() => Topup, { nullable: true })
  async topup(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<Topup> {
    const [row] = await findTopups(context.deps.db.sql, platformOf(context), [id]);
    if (!row) throw notFound("top-up", id);
    return Topup.from(row);
  }

  @FieldResolver(() => BalanceTransaction)
  balanceTransaction(@Root() topup: Topup, @Ctx() context: SubgraphContext): Promise<BalanceTransaction> {
    return loadBalanceTransaction(context, topup.balanceTransactionId);
  }
}

@Resolver(() => Transfer)
export class TransferResolver {
  @Mutation(() => Transfer, { description: "Moves the platform's available funds to one of its connected accounts." })
  async createTransfer(
    @Arg("input", () => CreateTransferInput) input: CreateTransferInput,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<Transfer> {
    const destinationAccountId = idArgument("account", input.destinationAccountId, "account");
    return Transfer.from(await createTransfer(context.deps, platformOf(context), { ...input, destinationAccountId }, idempotencyKey));
  }

  @Query(() => Transfer, { nullable: true })
  async transfer(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<Transfer> {
    const [row] = await findTransfers(context.deps.db.sql, platformOf(context), [id]);
    if (!row) throw notFound("transfer", id);
    return Transfer.from(row);
  }

  @FieldResolver(() => BalanceTransaction, { description: "The platform's side." })
  balanceTransaction(@Root() transfer: Transfer, @Ctx() context: SubgraphContext): Promise<BalanceTransaction> {
    return loadBalanceTransaction(context, transfer.balanceTransactionId);
  }

  @FieldResolver(() => BalanceTransaction, { description: "The connected account's side." })
  destinationBalanceTransaction(@Root() transfer: Transfer, @Ctx() context: SubgraphContext): Promise<BalanceTransaction> {
    return loadBalanceTransaction(context, transfer.destinationBalanceTransactionId);
  }
}

@ArgsType()
class TopupsArgs extends PageArgs {
  @Field(() => TopupStatusEnum, { nullable: true })
  status?: "PENDING" | "SUCCEEDED" | null;

  @Field(() => CreatedRange, { nullable: true })
  created?: CreatedRange | null;
}

@ArgsType()
class TransfersArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: "On the platform: only those to this connected account." })
  destinationAccountId?: string | null;

  @Field(() => CreatedRange, { nullable: true })
  created?: CreatedRange | null;
}

// Its own resolver class for BalancesAccount, beside BalancesAccountResolver.
@Resolver(() => BalancesAccount)
export class MoneyMovementsAccountResolver {
  @FieldResolver(() => TopupConnection, {
    description: "The account's top-ups, newest first; optionally of one status, created in a range.",
  })
  async topups(
    @Root() account: BalancesAccount,
    @Args(() => TopupsArgs) args: TopupsArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<TopupConnection> {
    const created = args.created ? createdBounds(args.created) : undefined;
    const page = pageRequest(args);
    const principal = readerOf(context);
    if (!principal) return emptyConnection();
    const rows = await accountTopups(context.deps.db.sql, principal, account.id, page, { status: args.status ?? undefined, created });
    return toConnection(rows, page, Topup.from);
  }

  @FieldResolver(() => TransferConnection, {
    description:
      "Newest first: on the platform, the transfers it sent (optionally to one connected account); on a connected account, those it received. Optionally created in a range.",
  })
  async transfers(
    @Root() account: BalancesAccount,
    @Args(() => TransfersArgs) args: TransfersArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<TransferConnection> {
    const created = args.created ? createdBounds(args.created) : undefined;
    const page = pageRequest(args);
    let destination: string | undefined;
    if (args.destinationAccountId != null) {
      destination = parseId("account", args.destinationAccountId);
      if (!destination) throw badInput("destinationAccountId is not an account id", "destinationAccountId");
    }
    const principal = readerOf(context);
    if (!principal) return emptyConnection();
    const rows = await accountTransfers(context.deps.db.sql, principal, account.id, page, { destinationAccountId: destination, created });
    return toConnection(rows, page, Transfer.from);
  }
}
