// The payouts subgraph's background work: the bank rail simulator. Runs beside the payouts
// subgraph (all-in-one or standalone) and in `npm run start:worker`; safe with several running.

import type { Dependencies } from "../../shared/context.ts";
import { advanceIsolatingFailures, startPollingWorker, type Worker } from "../../shared/worker.ts";
import { advanceDuePayouts, DEFAULT_BATCH, postponePayout, type AdvanceOptions } from "./advance-payouts.ts";

export type { Worker };

export interface PayoutsWorkerOptions {
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** Only this tenant's payouts (tests). */
  readonly tenantId?: string;
  /** How long a payout whose step failed waits before it is tried again. */
  readonly retryAfterMs?: number;
}

export function startPayoutsWorker(deps: Dependencies, options: PayoutsWorkerOptions = {}): Worker {
  const logger = deps.logger.child({ worker: "payouts" });
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const retryAfterMs = options.retryAfterMs ?? 60_000;
  const scope: AdvanceOptions = options.tenantId ? { tenantId: options.tenantId } : {};

  const batch = {
    logger,
    batchSize,
    retryAfterMs,
    advance: async (limit: number) => (await advanceDuePayouts(deps, { ...scope, limit })).advanced.length,
    postpone: (id: string, until: Date) => postponePayout(deps, id, until),
  };
  return startPollingWorker({
    logger,
    pollMs,
    async round(isStopped) {
      // Drain everything due before sleeping again.
      while (!isStopped()) {
        const advanced = await advanceIsolatingFailures(batch, isStopped);
        if (advanced === 0) break;
        logger.debug({ advanced }, "payouts advanced");
      }
    },
  });
}
