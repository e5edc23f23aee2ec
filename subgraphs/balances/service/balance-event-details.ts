// What a balance event refers to, loaded once per event. A live event is one object shared by
// every subscriber of its account (all of its tenant and mode), so 1,000 subscribers asking for
// its balance transaction cost one query, not 1,000. One per process (deps.balances.eventDetails):
// the memo lives as long as the event object does.

import type { CoreDependencies } from "../../shared/context.ts";
import type { BalanceEventRow } from "../../ledger/api.ts";
import { findBalanceTransactions, type BalanceTransactionRecord } from "../../ledger/api.ts";

export class BalanceEventDetails {
  private readonly transactions = new WeakMap<BalanceEventRow, Promise<BalanceTransactionRecord | null>>();

  constructor(private readonly deps: Pick<CoreDependencies, "db">) {}

  balanceTransactionOf(event: BalanceEventRow): Promise<BalanceTransactionRecord | null> {
    const id = event.balanceTransactionId;
    if (!id) return Promise.resolve(null);
    let loading = this.transactions.get(event);
    if (!loading) {
      loading = findBalanceTransactions(this.deps.db.sql, event, [id]).then(([found]) => found ?? null);
      // A failed load is not remembered: the next subscriber tries again.
      loading.catch(() => this.transactions.delete(event));
      this.transactions.set(event, loading);
    }
    return loading;
  }
}
