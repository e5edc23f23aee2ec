// The loop every background worker runs (top-up settlement, the bank rail, the chain): drain
// what is due, sleep `pollMs`, repeat; log and carry on after a failure; stop promptly. A
// database outage is reported to the process's OutageReporter (logged once when it starts and
// once when it ends), not as a stack per poll, and polls slow down while it lasts. The
// work itself lives in the subgraphs; its state lives in the database, so a restarted worker
// picks up where a stopped (or killed) one left off.

import { Counter } from "prom-client";
import { isRetryableConflict } from "./db/errors.ts";
import type { OutageReporter } from "./db/outage.ts";
import { isDatabaseUnavailable } from "./db/unavailable.ts";
import type { Logger } from "./logger.ts";
import { processRegistry } from "./metrics.ts";

// By worker name (settlement, hold-expiry, payouts, withdrawals, idempotency-purge: fixed in the code).
const steps = new Counter({
  name: "moneygraph_worker_steps_total",
  help: "Rows a step worker moved on (settled, advanced or postponed), by worker",
  labelNames: ["worker"],
  registers: [processRegistry],
});
const postponements = new Counter({
  name: "moneygraph_worker_postponements_total",
  help: "Rows whose step failed on its own and was postponed for an operator to look at, by worker",
  labelNames: ["worker"],
  registers: [processRegistry],
});
const failedRounds = new Counter({
  name: "moneygraph_worker_failed_rounds_total",
  help: "Worker rounds that failed (retried after the poll interval; database outages included), by worker",
  labelNames: ["worker"],
  registers: [processRegistry],
});

/** How often a worker polls while the database is unreachable, at most. */
const OUTAGE_POLL_MS = 1_000;

export interface Worker {
  stop(): Promise<void>;
}

export interface PollingWorkerOptions {
  /** Its label on the worker metrics. */
  readonly name: string;
  readonly logger: Logger;
  readonly pollMs: number;
  /** Does one round of work; `stopped()` tells a long round to finish early. */
  readonly round: (stopped: () => boolean) => Promise<void>;
  readonly outage?: OutageReporter | undefined;
}

export function startPollingWorker(options: PollingWorkerOptions): Worker {
  let stopped = false;
  let wake: (() => void) | undefined;
  const isStopped = () => stopped;

  const loop = (async () => {
    while (!stopped) {
      let unreachable = false;
      try {
        await options.round(isStopped);
        options.outage?.available();
      } catch (error) {
        failedRounds.inc({ worker: options.name });
        unreachable = options.outage?.report(error) ?? false;
        if (!stopped && !unreachable) options.logger.error({ err: error }, "worker round failed; retrying");
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, unreachable ? Math.max(options.pollMs, OUTAGE_POLL_MS) : options.pollMs);
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/** A step that failed for a reason retrying the transaction cannot fix, naming its rows. */
export class StepError extends Error {
  constructor(
    readonly ids: readonly string[],
    override readonly cause: unknown,
  ) {
    super(`step for ${ids.join(", ")} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "StepError";
  }
}

/** Runs one step, naming its rows in any error that retrying the transaction cannot fix. */
export async function naming<T>(ids: readonly string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    // Not the rows' fault: the whole batch is tried again later, nothing postponed.
    if (isRetryableConflict(error) || isDatabaseUnavailable(error)) throw error;
    throw new StepError(ids, error);
  }
}

/** How a worker over rows with a next step (payouts, withdrawals) is run; all optional. */
export interface StepWorkerOptions {
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** Only this tenant's rows (tests). */
  readonly tenantId?: string;
  /** How long a row whose step failed waits before it is tried again. */
  readonly retryAfterMs?: number;
}

export interface StepWorkerParts {
  /** Its label on the worker metrics. */
  readonly name: string;
  readonly logger: Logger;
  readonly outage?: OutageReporter | undefined;
  /** Advances up to `limit` due rows in one transaction (all or nothing); returns how many. */
  advance(limit: number): Promise<number>;
  /** Moves a row's next step out without changing anything else. */
  postpone(id: string, until: Date): Promise<void>;
}

/**
 * A polling worker over rows claimed oldest first, in batches, draining everything due before
 * it sleeps. A row that no step can handle (a bug, bad data) must not hold up every row behind
 * it: when a batch fails with a StepError, the batch is done again one row at a time, and the
 * rows that fail on their own are postponed and logged for an operator.
 */
export function startStepWorker(parts: StepWorkerParts, options: StepWorkerOptions & { readonly batchSize: number }): Worker {
  const { logger } = parts;
  const retryAfterMs = options.retryAfterMs ?? 60_000;
  const worker = { worker: parts.name };

  /** One batch; returns how many rows moved on (postponed ones count: the next claim moves past them). */
  const advanceBatch = async (isStopped: () => boolean): Promise<number> => {
    try {
      return await parts.advance(options.batchSize);
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      let advanced = 0;
      for (let i = 0; i < options.batchSize && !isStopped(); i++) {
        try {
          const one = await parts.advance(1);
          if (one === 0) break;
          advanced += one;
        } catch (single) {
          if (!(single instanceof StepError)) throw single;
          logger.error({ err: single.cause, ids: single.ids }, "step failed; postponed");
          for (const id of single.ids) await parts.postpone(id, new Date(Date.now() + retryAfterMs));
          postponements.inc(worker, single.ids.length);
          advanced += 1;
        }
      }
      return advanced;
    }
  };

  return startPollingWorker({
    name: parts.name,
    logger,
    outage: parts.outage,
    pollMs: options.pollMs ?? 250,
    async round(isStopped) {
      while (!isStopped()) {
        const advanced = await advanceBatch(isStopped);
        if (advanced === 0) break;
        steps.inc(worker, advanced);
        logger.debug({ advanced }, "rows advanced");
      }
    },
  });
}
