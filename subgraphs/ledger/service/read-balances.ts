// Reads of the ledger's running balances. Part of the ledger module's public API: the payouts and
// crypto subgraphs call it in-process.

import type { Database, SqlClient } from "../../shared/db/database.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";

export interface AccountBalance {
  readonly currency: Currency;
  readonly available: bigint;
  readonly pending: bigint;
}

export interface BalanceScope {
  readonly tenantId: string;
  readonly livemode: boolean;
}

const BALANCES_SQL = `
    SELECT la.account_id, la.currency, la.kind::text AS kind, SUM(lb.balance)::text AS balance
      FROM ledger_account la
      JOIN ledger_balance lb ON lb.ledger_account_id = la.id
     WHERE la.tenant_id = $1
       AND la.livemode = $2
       AND la.account_id = ANY($3::varchar[])
       AND la.kind IN ('AVAILABLE', 'PENDING')
     GROUP BY la.account_id, la.currency, la.kind
     ORDER BY la.account_id, la.currency`;

type BalanceRow = { account_id: string; currency: string; kind: string; balance: string };

/**
 * The customer balances (available and pending, per currency) of many accounts in one query.
 * A balance is the sum of its slots; accounts outside the tenant read as having none.
 * Given a SqlClient, the read runs on that connection: inside the caller's transaction (the
 * accounts subgraph's closeAccount reads under its row lock).
 */
export async function readBalances(
  source: Database | SqlClient,
  scope: BalanceScope,
  accountIds: readonly string[],
): Promise<Map<string, AccountBalance[]>> {
  const params = [scope.tenantId, scope.livemode, [...accountIds]];
  const rows =
    "prisma" in source
      ? await source.prisma.$queryRawUnsafe<BalanceRow[]>(BALANCES_SQL, ...params)
      : await source.query<BalanceRow>(BALANCES_SQL, params);
  const result = new Map<string, AccountBalance[]>(accountIds.map((id) => [id, []]));
  const byKey = new Map<string, { currency: Currency; available: bigint; pending: bigint }>();
  for (const row of rows) {
    const currency = parseCurrency(row.currency);
    if (!currency) throw new Error(`ledger holds an unknown currency ${row.currency}`);
    const key = `${row.account_id}\u0000${currency}`;
    let balance = byKey.get(key);
    if (!balance) {
      balance = { currency, available: 0n, pending: 0n };
      byKey.set(key, balance);
      result.get(row.account_id)?.push(balance);
    }
    if (row.kind === "AVAILABLE") balance.available = BigInt(row.balance);
    else balance.pending = BigInt(row.balance);
  }
  return result;
}
