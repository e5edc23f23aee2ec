import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { readerOf, type SubgraphContext } from "../../shared/context.ts";
import { parseId, type AccountId } from "../../shared/ids.ts";
import { createdBounds } from "../../shared/created-range.ts";
import { CreatedRange } from "../../shared/graphql/created-range.ts";
import { PageArgs } from "../../shared/graphql/page-args.ts";
import { emptyConnection, pageRequest, toConnection } from "../../shared/graphql/pagination.ts";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import { readBalances, type BalanceTransactionType } from "../../ledger/api.ts";
import { balancesAt, checkBalancesMoment } from "../service/balances-at.ts";
import { listBalanceTransactions } from "../service/balance-transactions.ts";
import { BalancesAccount } from "./account.type.ts";
import { Balance } from "./balance.type.ts";
import { BalanceTransaction, BalanceTransactionConnection, BalanceTransactionTypeEnum } from "./balance-transaction.type.ts";

@Resolver(() => BalancesAccount)
export class BalancesAccountResolver {
  @FieldResolver(() => [Balance], {
    description:
      "One per currency held: available, pending and held. With `at`, as they were at that instant (inclusive; a currency with no entry by then is absent); `at` in the future is refused.",
  })
  async balances(
    @Root() account: BalancesAccount,
    @Ctx() context: SubgraphContext,
    @Arg("at", () => DateTimeScalar, { nullable: true }) at?: Date | null,
  ): Promise<Balance[]> {
    const principal = readerOf(context);
    if (at) checkBalancesMoment(at);
    const accountId = parseId("account", account.id);
    if (!principal || !accountId) return [];
    // One loader per moment: a page of accounts asking the same `at` is one query.
    const loader = at
      ? context.loader(`balances.byAccountAt.${at.toISOString()}`, async (ids: readonly AccountId[]) => {
          const balances = await balancesAt(context.deps, principal, ids, at);
          return ids.map((id) => balances.get(id) ?? []);
        })
      : context.loader("balances.byAccount", async (ids: readonly AccountId[]) => {
          const balances = await readBalances(context.deps.db, principal, ids);
          return ids.map((id) => balances.get(id) ?? []);
        });
    return (await loader.load(accountId)).map(Balance.from);
  }

  @FieldResolver(() => BalanceTransactionConnection, {
    description: "Newest first; with `created`, only those created in that range; with `type`, only those of that type.",
  })
  async balanceTransactions(
    @Root() account: BalancesAccount,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() context: SubgraphContext,
    @Arg("created", () => CreatedRange, { nullable: true }) created?: CreatedRange | null,
    @Arg("type", () => BalanceTransactionTypeEnum, { nullable: true }) type?: BalanceTransactionType | null,
  ): Promise<BalanceTransactionConnection> {
    const principal = readerOf(context);
    const bounds = created ? createdBounds(created) : undefined;
    if (!principal) return emptyConnection();
    const page = pageRequest(args);
    const rows = await listBalanceTransactions(context.deps, principal, account.id, page, bounds, type ?? undefined);
    return toConnection(rows, page, BalanceTransaction.from);
  }
}
