// The invariants, checked against the database once the run is over and the worker has brought
// every payout to a final state:
//   - the ledger verifies (`npm run ledger:verify`'s check: balanced transactions, balances equal
//     their entries, nothing negative) and every currency sums to zero over all accounts;
//   - the objects in the database are exactly those acknowledged (nothing executed twice or
//     without its answer, nothing acknowledged missing), and each account holds what the
//     acknowledged operations say it should, to the minor unit;
//   - every payout ended as its bank account decides (or canceled, exactly when a cancel was
//     acknowledged), and every failed or canceled payout was refunded exactly once.

import { verifyLedger } from "../../subgraphs/ledger/api.ts";
import type { SqlClient } from "../../subgraphs/shared/db/database.ts";
import type { History, OperationKind } from "./history.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until no payout is in flight and no top-up is pending (the worker's work is done). */
export async function quiescent(sql: SqlClient, tenants: string[], timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const [row] = await sql
      .query<{ busy: string }>(
        `SELECT ((SELECT COUNT(*) FROM payout WHERE tenant_id = ANY($1) AND status IN ('PENDING', 'IN_TRANSIT'))
               + (SELECT COUNT(*) FROM topup WHERE tenant_id = ANY($1) AND status = 'PENDING'))::text AS busy`,
        [tenants],
      )
      .catch(() => [{ busy: "1" }]);
    if (row?.busy === "0") return true;
    await sleep(250);
  }
  return false;
}

const TABLES: Record<Exclude<OperationKind, "cancel">, string> = { topup: "topup", transfer: "transfer", payout: "payout" };

export async function checkInvariants(sql: SqlClient, tenants: string[], history: History): Promise<void> {
  const report = await verifyLedger(sql);
  for (const problem of report.problems) history.violation("ledger does not verify", problem);

  const unbalanced = await sql.query<{ currency: string; total: string }>(
    "SELECT la.currency, SUM(lb.balance)::text AS total FROM ledger_account la JOIN ledger_balance lb ON lb.ledger_account_id = la.id GROUP BY la.currency HAVING SUM(lb.balance) <> 0",
  );
  for (const row of unbalanced) history.violation("money not conserved", `${row.currency} sums to ${row.total}`);

  const acknowledged = [...history.acknowledged.values()];
  const unknownOf = (kind: OperationKind) => [...history.unknown.values()].filter((k) => k === kind).length;
  for (const [kind, table] of Object.entries(TABLES) as [Exclude<OperationKind, "cancel">, string][]) {
    const rows = await sql.query<{ id: string }>(`SELECT id FROM ${table} WHERE tenant_id = ANY($1)`, [tenants]);
    const stored = new Set(rows.map((row) => row.id));
    const acked = new Set(acknowledged.filter((a) => a.kind === kind).map((a) => a.id));
    for (const id of acked) if (!stored.has(id)) history.violation("acknowledged but absent", `${kind} ${id}`);
    // An operation whose answer stayed unknown may or may not have executed (reported on its own).
    const extra = [...stored].filter((id) => !acked.has(id));
    if (extra.length > unknownOf(kind))
      history.violation("executed without acknowledgement", `${extra.length} ${kind}(s): ${extra.slice(0, 5).join(", ")}`);
  }

  const payouts = await sql.query<{ id: string; status: string; refunds: string; reversal: string | null }>(
    `SELECT p.id, p.status::text AS status, p.reversal_balance_transaction_id AS reversal,
            (SELECT COUNT(*) FROM ledger_transaction lt WHERE lt.reverses_id = p.ledger_transaction_id)::text AS refunds
       FROM payout p WHERE p.tenant_id = ANY($1)`,
    [tenants],
  );
  const canceled = new Set(acknowledged.filter((a) => a.kind === "cancel").map((a) => a.id));
  const failing = new Map(acknowledged.filter((a) => a.kind === "payout").map((a) => [a.id, a.failingDestination]));
  const statusOf = new Map<string, string>();
  for (const payout of payouts) {
    statusOf.set(payout.id, payout.status);
    const refunded = payout.status === "FAILED" || payout.status === "CANCELED";
    const refunds = Number(payout.refunds);
    if (refunds !== (refunded ? 1 : 0) || (refunded && !payout.reversal)) {
      history.violation("payout not refunded exactly once", `${payout.id} ${payout.status}: ${refunds} reversal(s)`);
    }
    if (canceled.has(payout.id) !== (payout.status === "CANCELED"))
      history.violation("cancel not as acknowledged", `${payout.id} ${payout.status}`);
    const expected = failing.get(payout.id) === undefined ? undefined : failing.get(payout.id) ? "FAILED" : "PAID";
    if (expected && payout.status !== expected && payout.status !== "CANCELED")
      history.violation("payout outcome wrong", `${payout.id}: ${payout.status}, expected ${expected}`);
  }

  // Each account's balance from the acknowledged operations alone, against the ledger's.
  const expected = new Map<string, bigint>();
  const add = (account: string, amount: bigint) => expected.set(account, (expected.get(account) ?? 0n) + amount);
  for (const ack of acknowledged) {
    if (ack.kind === "topup") add(ack.accountId, ack.debitOrCredit);
    if (ack.kind === "transfer") {
      add(ack.tenant, -ack.debitOrCredit);
      add(ack.accountId, ack.debitOrCredit);
    }
    if (ack.kind === "payout") {
      const status = statusOf.get(ack.id);
      if (status !== "FAILED" && status !== "CANCELED") add(ack.accountId, -ack.debitOrCredit);
    }
  }
  const held = await sql.query<{ account_id: string; total: string }>(
    `SELECT la.account_id, SUM(lb.balance)::text AS total FROM ledger_account la JOIN ledger_balance lb ON lb.ledger_account_id = la.id
      WHERE la.tenant_id = ANY($1) AND la.kind IN ('AVAILABLE', 'PENDING') AND la.currency = 'USD' GROUP BY la.account_id`,
    [tenants],
  );
  const ledger = new Map(held.map((row) => [row.account_id, BigInt(row.total)]));
  if (history.unknown.size === 0) {
    for (const account of new Set([...expected.keys(), ...ledger.keys()])) {
      const want = expected.get(account) ?? 0n;
      const have = ledger.get(account) ?? 0n;
      if (want !== have)
        history.violation("balance differs from acknowledged operations", `${account}: ledger ${have}, acknowledged ${want}`);
    }
  }
}
