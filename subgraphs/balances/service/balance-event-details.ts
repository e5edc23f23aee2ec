// What a balance event refers to, loaded once per event. A live event is one object shared by
// every subscriber of its account (all of its tenant and mode), so 1,000 subscribers asking for
// its balance transaction cost one query, not 1,000.

import type { Dependencies } from "../../shared/context.ts";
import type { BalanceEventRow } from "../events/event-store.ts";
import type { BalanceTransactionRow } from "./balance-transactions.ts";

const transactions = new WeakMap<BalanceEventRow, Promise<BalanceTransactionRow | null>>();

export function balanceTransactionOfEvent(deps: Dependencies, event: BalanceEventRow): Promise<BalanceTransactionRow | null> {
  const id = event.balanceTransactionId;
  if (!id) return Promise.resolve(null);
  let loading = transactions.get(event);
  if (!loading) {
    loading = deps.db.prisma.balanceTransaction.findFirst({ where: { id, tenantId: event.tenantId, livemode: event.livemode } });
    // A failed load is not remembered: the next subscriber tries again.
    loading.catch(() => transactions.delete(event));
    transactions.set(event, loading);
  }
  return loading;
}
