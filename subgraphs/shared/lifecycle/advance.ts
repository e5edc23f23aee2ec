// The template of "a row with a lifecycle advanced by a worker" (payouts on the bank rail,
// crypto withdrawals on the chain): claim the due rows, take each one's next step, post the
// batch's reversals, all in one transaction; and the worker that runs it.
//
//   claim     up to `limit` rows whose next step is due, FOR UPDATE SKIP LOCKED: several workers
//             (in several processes) never take the same row, and none waits on another.
//   step      each row's next step, decided by its module's state machine and written
//             conditionally on the status that was read; a step that gives money back returns
//             its reversal. Each row's next step is due after its own step time (a column set
//             when the row was created), so every worker keeps the schedule it was created with.
//   reversals posted in one ledger call for the whole batch (the ledger takes its locks in one
//             global order, so two batches never deadlock on balance rows).
//
// All or nothing: a worker killed mid-batch commits nothing of it, and the next claim takes the
// same rows again, so a reversal is posted exactly once. A step that fails on its own (a bug,
// bad data) is named in a StepError: the worker then goes one row at a time and postpones that
// row (shared/worker.ts), so it cannot hold up the others.

import type { Database, SqlClient } from "../db/database.ts";
import { inTransaction } from "../db/transaction.ts";
import type { OutageReporter } from "../db/outage.ts";
import type { Logger } from "../logger.ts";
import { naming, startStepWorker, type StepWorkerOptions, type Worker } from "../worker.ts";

const DEFAULT_BATCH = 100;

/** Which rows a claim takes. */
export interface DueRows {
  readonly now: Date;
  readonly limit: number;
  /** Only this tenant's rows (a worker dedicated to one tenant; tests sharing a database). */
  readonly tenantId: string | undefined;
}

export interface Stepped<R, P> {
  /** The row as the step wrote it. */
  readonly record: R;
  /** The reversal to post when the step gives money back (a failure, a cancellation). */
  readonly reversal: P | undefined;
}

/**
 * A claimed row: its id, and its record read only when its step runs, so a row that cannot even
 * be read (bad data) is named like any other failing step instead of failing the whole claim.
 */
export interface Claimed<R> {
  readonly id: string;
  record(): R;
}

/** What a module supplies: its rows, its steps and how its reversals are posted. */
export interface LifecycleWork<R, P> {
  /** Locks up to `due.limit` due rows, oldest due first (FOR UPDATE SKIP LOCKED). */
  claimDue(sql: SqlClient, due: DueRows): Promise<readonly Claimed<R>[]>;
  /** Takes the row's next step; undefined when it has none. */
  step(sql: SqlClient, record: R, now: Date): Promise<Stepped<R, P> | undefined>;
  /** Posts a batch's reversals in one call. */
  postReversals(sql: SqlClient, reversals: readonly P[]): Promise<void>;
  /** Moves a row's next step out (its step failed), without changing its status. */
  postpone(sql: SqlClient, id: string, until: Date): Promise<void>;
}

export interface AdvanceOptions {
  /** The clock (tests move it forward). */
  readonly now?: Date;
  readonly limit?: number;
  readonly tenantId?: string;
}

/** Advances up to `limit` due rows by one step each, in one transaction; returns what moved. */
export async function advanceDue<R, P>(db: Database, work: LifecycleWork<R, P>, options: AdvanceOptions = {}): Promise<R[]> {
  const due: DueRows = { now: options.now ?? new Date(), limit: options.limit ?? DEFAULT_BATCH, tenantId: options.tenantId };
  return inTransaction(db, async (sql) => {
    const rows = await work.claimDue(sql, due);
    const moved: R[] = [];
    const reversals: P[] = [];
    const reversed: string[] = [];
    for (const { id, record } of rows) {
      const stepped = await naming([id], () => work.step(sql, record(), due.now));
      if (!stepped) continue;
      moved.push(stepped.record);
      if (stepped.reversal !== undefined) {
        reversals.push(stepped.reversal);
        reversed.push(id);
      }
    }
    if (reversals.length > 0) await naming(reversed, () => work.postReversals(sql, reversals));
    return moved;
  });
}

export interface LifecycleWorkerParts {
  /** Its label on the worker metrics. */
  readonly name: string;
  readonly logger: Logger;
  readonly outage?: OutageReporter | undefined;
}

/** The polling worker over a lifecycle: drains what is due in batches, postpones a row that keeps failing. */
export function startLifecycleWorker<R, P>(
  db: Database,
  work: LifecycleWork<R, P>,
  parts: LifecycleWorkerParts,
  options: StepWorkerOptions = {},
): Worker {
  const scope: AdvanceOptions = options.tenantId ? { tenantId: options.tenantId } : {};
  return startStepWorker(
    {
      ...parts,
      advance: async (limit) => (await advanceDue(db, work, { ...scope, limit })).length,
      postpone: (id, until) => work.postpone(db.sql, id, until),
    },
    { ...options, batchSize: options.batchSize ?? DEFAULT_BATCH },
  );
}
