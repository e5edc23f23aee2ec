// Reading the customer-facing balance history (txn_…), always inside the caller's tenant and
// mode. The ledger owns the table (it writes it in ledger_post); its store publishes the reads.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { PageRequest } from "../../shared/pagination.ts";
import type { CreatedBounds } from "../../shared/created-range.ts";
import {
  findBalanceTransactions as findInLedger,
  listBalanceTransactions as listInLedger,
  type BalanceTransactionRecord,
  type BalanceTransactionType,
} from "../../ledger/api.ts";

export type { BalanceTransactionRecord } from "../../ledger/api.ts";

export function findBalanceTransactions(
  deps: Dependencies,
  principal: PlatformPrincipal,
  ids: readonly string[],
): Promise<(BalanceTransactionRecord | null)[]> {
  return findInLedger(deps.db.sql, principal, ids);
}

export function listBalanceTransactions(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
  created?: CreatedBounds,
  type?: BalanceTransactionType,
): Promise<BalanceTransactionRecord[]> {
  return listInLedger(deps.db.sql, principal, accountId, page, created, type);
}
