// The bank rail simulator's step: due payouts move one step along their lifecycle (PENDING ->
// IN_TRANSIT -> PAID, or FAILED with the answer decided at creation). The state lives in the
// database (status, next_step_at), so work that fell due while nothing ran is done when a
// worker comes back.
//
// Several workers may run (in several processes): each claims a batch with FOR UPDATE SKIP
// LOCKED, so no payout is advanced twice and none waits on another worker. A batch is one
// transaction: a worker killed mid-batch commits nothing of it, and the next claim takes the
// same payouts again. Reversals are posted grouped per tenant, tenants in id order (ledger_post
// orders the locks inside a call), so two batches cannot deadlock on balance rows.
//
// A payout whose step keeps failing (a bug, bad data) must not stop every other payout: the
// error names it (StepError), the worker retries that batch one payout at a time and postpones
// the failing one (`postponePayout`), logging it for an operator (shared/worker.ts).

import { type Posting, post } from "../../ledger/api.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { naming } from "../../shared/worker.ts";
import { nextRailEvent } from "../domain/lifecycle.ts";
import { failure } from "../domain/rail.ts";
import { PAYOUT_SQL_COLUMNS, payoutFromSql, type PayoutRecord, type PayoutSqlRow } from "./payout-records.ts";
import { writeTransition } from "./transition.ts";

export const DEFAULT_BATCH = 100;

export interface AdvanceResult {
  readonly advanced: readonly PayoutRecord[];
}

export interface AdvanceOptions {
  readonly now?: Date;
  readonly limit?: number;
  /** Only this tenant's payouts (a worker dedicated to one tenant; tests). */
  readonly tenantId?: string;
}

/** Advances up to `limit` due payouts by one step each, in one transaction. */
export async function advanceDuePayouts(deps: Dependencies, options: AdvanceOptions = {}): Promise<AdvanceResult> {
  const now = options.now ?? new Date();
  return inTransaction(deps.db, async (sql) => {
    const due = await sql.query<PayoutSqlRow>(
      `SELECT ${PAYOUT_SQL_COLUMNS}
         FROM payout
        WHERE status IN ('PENDING', 'IN_TRANSIT') AND next_step_at <= $1 AND ($3::varchar IS NULL OR tenant_id = $3)
        ORDER BY next_step_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [now, options.limit ?? DEFAULT_BATCH, options.tenantId ?? null],
    );
    const advanced: PayoutRecord[] = [];
    const postings = new Map<string, { tenantId: string; livemode: boolean; postings: Posting[] }>();
    for (const row of due) {
      const step = await naming([row.id], async () => {
        const payout = payoutFromSql(row);
        const event = nextRailEvent(payout.status, row.rail_failure_code ? failure(row.rail_failure_code) : undefined);
        return event ? writeTransition(sql, payout, event, now, row.step_ms) : undefined;
      });
      if (!step) continue;
      const payout = step.payout;
      advanced.push(step.payout);
      if (step.posting) {
        const key = `${payout.tenantId}:${payout.livemode}`;
        const group = postings.get(key) ?? { tenantId: payout.tenantId, livemode: payout.livemode, postings: [] };
        group.postings.push(step.posting);
        postings.set(key, group);
      }
    }
    for (const key of [...postings.keys()].sort()) {
      const group = postings.get(key)!;
      const ids = group.postings.map((posting) => posting.reference ?? posting.id);
      await naming(ids, () => post(sql, { tenantId: group.tenantId, livemode: group.livemode }, group.postings));
    }
    return { advanced };
  });
}

/** Moves a payout's next step out (a step that failed), without changing its status. */
export async function postponePayout(deps: Dependencies, payoutId: string, until: Date): Promise<void> {
  await deps.db.sql.query(`UPDATE payout SET next_step_at = $2 WHERE id = $1 AND status IN ('PENDING', 'IN_TRANSIT')`, [payoutId, until]);
}
