// Reads of the ledger's running balances. Part of the ledger module's public API: the accounts,
// payouts and crypto modules call it in-process.

import type { Database, SqlClient } from "../../shared/db/database.ts";
import type { AccountId } from "../../shared/ids.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import {
  customerBalanceRows,
  customerBalanceRowsAt,
  type BalanceScope,
  type CustomerBalanceRow,
  type LedgerMoment,
} from "../store/balances.ts";

export type { BalanceScope, LedgerMoment } from "../store/balances.ts";

export interface AccountBalance {
  readonly currency: Currency;
  readonly available: bigint;
  readonly pending: bigint;
  /** Reserved by holds: out of available until captured, released or expired. */
  readonly held: bigint;
}

/**
 * The customer balances (available, pending and held, per currency) of many accounts in one query;
 * accounts outside the tenant read as having none. Given a SqlClient, the read runs on that
 * connection: inside the caller's transaction (closeAccount reads under its row lock).
 */
export async function readBalances(
  source: Database | SqlClient,
  scope: BalanceScope,
  accountIds: readonly AccountId[],
): Promise<Map<AccountId, AccountBalance[]>> {
  const sql = "transaction" in source ? source.sql : source;
  return byAccount(accountIds, await customerBalanceRows(sql, scope, accountIds));
}

/**
 * The customer balances of many accounts as they were at `at` (inclusive: what every entry
 * stamped at or before it made them), in one query, in the shape of readBalances. An entry's
 * stamp is when ledger_post applied it, under its balance row's lock. A currency none of whose
 * customer balances had an entry by then is absent; one that had some reads 0 for the others.
 * The cost is one index lookup per ledger account, independent of the history's length.
 */
export async function readBalancesAt(
  source: Database | SqlClient,
  scope: BalanceScope,
  accountIds: readonly AccountId[],
  at: LedgerMoment,
): Promise<Map<AccountId, AccountBalance[]>> {
  const sql = "transaction" in source ? source.sql : source;
  return byAccount(accountIds, await customerBalanceRowsAt(sql, scope, accountIds, at));
}

/** Rows per (account, currency, kind), ordered by account and currency, folded into AccountBalance. */
function byAccount(accountIds: readonly AccountId[], rows: readonly CustomerBalanceRow[]): Map<AccountId, AccountBalance[]> {
  const result = new Map<AccountId, AccountBalance[]>(accountIds.map((id) => [id, []]));
  const byKey = new Map<string, { currency: Currency; available: bigint; pending: bigint; held: bigint }>();
  for (const row of rows) {
    const currency = parseCurrency(row.currency);
    if (!currency) throw new Error(`ledger holds an unknown currency ${row.currency}`);
    const key = `${row.accountId}\u0000${currency}`;
    let balance = byKey.get(key);
    if (!balance) {
      balance = { currency, available: 0n, pending: 0n, held: 0n };
      byKey.set(key, balance);
      result.get(row.accountId)?.push(balance);
    }
    if (row.kind === "AVAILABLE") balance.available = row.balance;
    else if (row.kind === "PENDING") balance.pending = row.balance;
    else balance.held = row.balance;
  }
  return result;
}
