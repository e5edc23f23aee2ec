// The payouts subgraph's background work: the bank rail simulator. Runs beside the payouts
// subgraph (all-in-one or standalone) and in `npm run start:worker`; safe with several running.

import type { Dependencies } from "../../shared/context.ts";
import { startPollingWorker, type Worker } from "../../shared/worker.ts";
import { advanceDuePayouts, DEFAULT_BATCH, PayoutStepError, postponePayout, type AdvanceOptions } from "./advance-payouts.ts";

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

  /** One batch; if one payout breaks it, the batch one payout at a time, postponing the broken ones. */
  const advanceBatch = async (isStopped: () => boolean): Promise<number> => {
    try {
      return (await advanceDuePayouts(deps, { ...scope, limit: batchSize })).advanced.length;
    } catch (error) {
      if (!(error instanceof PayoutStepError)) throw error;
      let advanced = 0;
      for (let i = 0; i < batchSize && !isStopped(); i++) {
        try {
          const one = (await advanceDuePayouts(deps, { ...scope, limit: 1 })).advanced.length;
          if (one === 0) break;
          advanced += one;
        } catch (single) {
          if (!(single instanceof PayoutStepError)) throw single;
          logger.error({ err: single.cause, payoutIds: single.payoutIds }, "payout step failed; postponed");
          for (const id of single.payoutIds) await postponePayout(deps, id, new Date(Date.now() + retryAfterMs));
          advanced += 1; // progress: the next claim moves on
        }
      }
      return advanced;
    }
  };
  return startPollingWorker({
    logger,
    pollMs,
    async round(isStopped) {
      // Drain everything due before sleeping again.
      while (!isStopped()) {
        const advanced = await advanceBatch(isStopped);
        if (advanced === 0) break;
        logger.debug({ advanced }, "payouts advanced");
      }
    },
  });
}
