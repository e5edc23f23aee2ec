// Writes balance events exactly as the ledger does (the contract in docs/ledger.md, where it
// describes balance events and their NOTIFY): in one transaction, under the account's lock, one
// balance_event row per currency changed, and `pg_notify('balance_events', account_id)`, delivered on commit.
// For the stream's own tests: sequences, edge cases and rates that real transfers cannot easily
// produce (and other tenants' or modes' rows). Tests of real money movement use the ledger's
// mutations (createTopup, createTransfer) instead.

import type { Database } from "../../subgraphs/shared/db/database.ts";
import { newId } from "../../subgraphs/shared/ids.ts";

export interface BalanceChange {
  readonly currency?: string;
  readonly available: bigint;
  readonly pending?: bigint;
  readonly balanceTransactionId?: string | null;
}

export interface EventTarget {
  readonly tenantId: string;
  readonly accountId: string;
  readonly livemode?: boolean;
}

/** Commits one change of `target`'s balance; returns the ids of the events written, in order. */
export async function commitBalanceChange(
  db: Database,
  target: EventTarget,
  changes: readonly BalanceChange[],
  options: { notify?: boolean } = {},
): Promise<string[]> {
  const ids = changes.map(() => newId("balanceEvent") as string);
  await db.transaction(async (sql) => {
    // The ledger's per-account lock (ledger_post takes the same key): it is what makes seq follow
    // commit order per account, even when these commits race real transfers.
    await sql.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [target.accountId]);
    // One statement, rows numbered in order (seq follows the order of insertion).
    await sql.query(
      `INSERT INTO balance_event (id, tenant_id, livemode, account_id, currency, available, pending, balance_transaction_id)
       SELECT c.id, $1, $2, $3, c.currency, c.available::numeric, c.pending::numeric, c.txn
         FROM unnest($4::varchar[], $5::varchar[], $6::text[], $7::text[], $8::varchar[]) WITH ORDINALITY
           AS c(id, currency, available, pending, txn, n)
        ORDER BY c.n`,
      [
        target.tenantId,
        target.livemode ?? false,
        target.accountId,
        ids,
        changes.map((change) => change.currency ?? "USD"),
        changes.map((change) => change.available.toString()),
        changes.map((change) => (change.pending ?? 0n).toString()),
        changes.map((change) => change.balanceTransactionId ?? null),
      ],
    );
    if (options.notify ?? true) await sql.query(`SELECT pg_notify('balance_events', $1)`, [target.accountId]);
  });
  return ids;
}

/** Commits `count` changes one after the other (available 1, 2, 3, …); returns their event ids. */
export async function commitSeries(db: Database, target: EventTarget, count: number, from = 1n): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0n; i < BigInt(count); i++) ids.push(...(await commitBalanceChange(db, target, [{ available: from + i }])));
  return ids;
}
