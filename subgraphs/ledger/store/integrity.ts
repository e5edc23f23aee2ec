// The ledger's integrity check: for one account, one tenant, or the whole ledger,
//   1. every ledger transaction has two or more entries that sum to zero per currency;
//   2. every entry is in its ledger account's currency;
//   3. every balance (the sum of its slots) equals the sum of its entries;
//   4. no customer balance (AVAILABLE, PENDING, HELD) is negative;
//   5. every balance event matches a balance that existed: its available/pending/held are never
//      negative (the event stream cannot show money that was not there).
// Run at the end of every concurrency test and by `npm run ledger:verify`.
// All of it is SQL over the ledger's tables, so it lives in the ledger's store.

import type { SqlClient } from "../../shared/db/database.ts";

export interface IntegrityScope {
  readonly tenantId?: string;
  readonly accountId?: string;
}

export interface IntegrityReport {
  readonly ok: boolean;
  readonly transactionsChecked: number;
  readonly ledgerAccountsChecked: number;
  readonly problems: string[];
}

export async function verifyLedger(sql: SqlClient, scope: IntegrityScope = {}): Promise<IntegrityReport> {
  const filters: string[] = [];
  const params: string[] = [];
  if (scope.tenantId) {
    params.push(scope.tenantId);
    filters.push(`la.tenant_id = $${params.length}`);
  }
  if (scope.accountId) {
    params.push(scope.accountId);
    filters.push(`la.account_id = $${params.length}`);
  }
  const where = filters.length > 0 ? `WHERE ${filters.join(" AND ")}` : "";
  const accounts = `SELECT la.* FROM ledger_account la ${where}`;
  // The transactions that touched the scope's ledger accounts: checked whole, every entry.
  const transactions = `SELECT DISTINCT le.transaction_id FROM ledger_entry le JOIN (${accounts}) la ON la.id = le.ledger_account_id`;
  const problems: string[] = [];

  const unbalanced = await sql.query<{ transaction_id: string; currency: string; total: string; entries: string }>(
    `SELECT le.transaction_id, le.currency, SUM(le.amount)::text AS total, COUNT(*)::text AS entries
       FROM ledger_entry le
      WHERE le.transaction_id IN (${transactions})
      GROUP BY le.transaction_id, le.currency
     HAVING SUM(le.amount) <> 0`,
    params,
  );
  for (const row of unbalanced) problems.push(`transaction ${row.transaction_id} sums to ${row.total} ${row.currency}`);

  const thin = await sql.query<{ transaction_id: string; entries: string }>(
    `SELECT le.transaction_id, COUNT(*)::text AS entries FROM ledger_entry le
      WHERE le.transaction_id IN (${transactions})
      GROUP BY le.transaction_id HAVING COUNT(*) < 2`,
    params,
  );
  for (const row of thin) problems.push(`transaction ${row.transaction_id} has ${row.entries} entry`);

  const wrongCurrency = await sql.query<{ id: string }>(
    `SELECT le.id::text FROM ledger_entry le JOIN (${accounts}) la ON la.id = le.ledger_account_id WHERE le.currency <> la.currency`,
    params,
  );
  for (const row of wrongCurrency) problems.push(`entry ${row.id} is not in its account's currency`);

  const drift = await sql.query<{ id: string; kind: string; balance: string; entries: string }>(
    `SELECT la.id, la.kind::text AS kind,
            COALESCE((SELECT SUM(lb.balance) FROM ledger_balance lb WHERE lb.ledger_account_id = la.id), 0)::text AS balance,
            COALESCE((SELECT SUM(le.amount) FROM ledger_entry le WHERE le.ledger_account_id = la.id), 0)::text AS entries
       FROM (${accounts}) la
      WHERE COALESCE((SELECT SUM(lb.balance) FROM ledger_balance lb WHERE lb.ledger_account_id = la.id), 0)
         <> COALESCE((SELECT SUM(le.amount) FROM ledger_entry le WHERE le.ledger_account_id = la.id), 0)`,
    params,
  );
  for (const row of drift)
    problems.push(`ledger account ${row.id} (${row.kind}) holds ${row.balance} but its entries sum to ${row.entries}`);

  const negative = await sql.query<{ id: string; kind: string; balance: string }>(
    `SELECT la.id, la.kind::text AS kind, SUM(lb.balance)::text AS balance
       FROM (${accounts}) la JOIN ledger_balance lb ON lb.ledger_account_id = la.id
      WHERE NOT la.allow_negative
      GROUP BY la.id, la.kind
     HAVING SUM(lb.balance) < 0 OR MIN(lb.balance) < 0`,
    params,
  );
  for (const row of negative) problems.push(`customer balance ${row.id} (${row.kind}) is negative: ${row.balance}`);

  const eventFilter = [scope.tenantId ? `be.tenant_id = $1` : "", scope.accountId ? `be.account_id = $${params.length}` : ""].filter(
    Boolean,
  );
  const badEvents = await sql.query<{ id: string }>(
    `SELECT be.id FROM balance_event be WHERE (be.available < 0 OR be.pending < 0 OR be.held < 0) ${eventFilter.length > 0 ? `AND ${eventFilter.join(" AND ")}` : ""}`,
    params,
  );
  for (const row of badEvents) problems.push(`balance event ${row.id} shows a negative balance`);

  const [counts] = await sql.query<{ transactions: string; accounts: string }>(
    `SELECT (SELECT COUNT(*) FROM (${transactions}) t)::text AS transactions, (SELECT COUNT(*) FROM (${accounts}) a)::text AS accounts`,
    params,
  );
  return {
    ok: problems.length === 0,
    transactionsChecked: Number(counts?.transactions ?? 0),
    ledgerAccountsChecked: Number(counts?.accounts ?? 0),
    problems,
  };
}
