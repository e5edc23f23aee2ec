import { Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { readerOf, type SubgraphContext } from "../../shared/context.ts";
import { parseId, type AccountId } from "../../shared/ids.ts";
import { PageArgs } from "../../shared/graphql/page-args.ts";
import { emptyConnection, pageRequest, toConnection } from "../../shared/graphql/pagination.ts";
import { readBalances } from "../../ledger/api.ts";
import { listBalanceTransactions } from "../service/balance-transactions.ts";
import { BalancesAccount } from "./account.type.ts";
import { Balance } from "./balance.type.ts";
import { BalanceTransaction, BalanceTransactionConnection } from "./balance-transaction.type.ts";

@Resolver(() => BalancesAccount)
export class BalancesAccountResolver {
  @FieldResolver(() => [Balance], { description: "One per currency held, available and pending." })
  async balances(@Root() account: BalancesAccount, @Ctx() context: SubgraphContext): Promise<Balance[]> {
    const principal = readerOf(context);
    const accountId = parseId("account", account.id);
    if (!principal || !accountId) return [];
    const loader = context.loader("balances.byAccount", async (ids: readonly AccountId[]) => {
      const balances = await readBalances(context.deps.db, principal, ids);
      return ids.map((id) => balances.get(id) ?? []);
    });
    return (await loader.load(accountId)).map(Balance.from);
  }

  @FieldResolver(() => BalanceTransactionConnection, { description: "Newest first." })
  async balanceTransactions(
    @Root() account: BalancesAccount,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<BalanceTransactionConnection> {
    const principal = readerOf(context);
    if (!principal) return emptyConnection();
    const page = pageRequest(args);
    const rows = await listBalanceTransactions(context.deps, principal, account.id, page);
    return toConnection(rows, page, BalanceTransaction.from);
  }
}
