import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { platformOf, type SubgraphContext } from "../../shared/context.ts";
import { notFound } from "../../shared/errors.ts";
import { findBalanceTransactions } from "../service/balance-transactions.ts";
import { BalanceTransaction } from "./balance-transaction.type.ts";

export function balanceTransactionLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("balanceTransactions.byId", (ids: readonly string[]) => findBalanceTransactions(context.deps, principal, ids));
}

export async function resolveBalanceTransactionReference(
  reference: { id: string },
  context: SubgraphContext,
): Promise<BalanceTransaction | null> {
  const row = await balanceTransactionLoader(context).load(reference.id);
  return row ? BalanceTransaction.from(row) : null;
}

@Resolver(() => BalanceTransaction)
export class BalanceTransactionResolver {
  @Query(() => BalanceTransaction, { nullable: true })
  async balanceTransaction(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<BalanceTransaction> {
    const row = await balanceTransactionLoader(context).load(id);
    if (!row) throw notFound("balance transaction", id);
    return BalanceTransaction.from(row);
  }
}
