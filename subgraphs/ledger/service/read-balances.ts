// Reads of the ledger's running balances. Part of the ledger module's public API: the accounts,
// payouts and crypto modules call it in-process.

import type { Database, SqlClient } from "../../shared/db/database.ts";
import type { AccountId } from "../../shared/ids.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { customerBalanceRows, type BalanceScope } from "../store/balances.ts";

export type { BalanceScope } from "../store/balances.ts";

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
  const result = new Map<AccountId, AccountBalance[]>(accountIds.map((id) => [id, []]));
  const byKey = new Map<string, { currency: Currency; available: bigint; pending: bigint; held: bigint }>();
  for (const row of await customerBalanceRows(sql, scope, accountIds)) {
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
