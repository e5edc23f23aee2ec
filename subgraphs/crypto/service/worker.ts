// The crypto subgraph's background work: advancing withdrawals on the simulated chain. Runs
// inside the crypto process (all-in-one or standalone) and in `npm run start:worker`; safe with
// several running. A withdrawal whose step keeps failing is postponed, not allowed to hold up
// the rest.

import type { Dependencies } from "../../shared/context.ts";
import { advanceIsolatingFailures, startPollingWorker, type Worker } from "../../shared/worker.ts";
import { advanceDueWithdrawals, postponeWithdrawal, type AdvanceOptions } from "./advance-withdrawals.ts";

export type { Worker };

export interface CryptoWorkerOptions {
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** Only this tenant's withdrawals (tests). */
  readonly tenantId?: string;
  /** How long a withdrawal whose step failed waits before it is tried again. */
  readonly retryAfterMs?: number;
}

export function startCryptoWorker(deps: Dependencies, options: CryptoWorkerOptions = {}): Worker {
  const logger = deps.logger.child({ worker: "crypto" });
  const scope: AdvanceOptions = options.tenantId ? { tenantId: options.tenantId } : {};
  const batch = {
    logger,
    batchSize: options.batchSize ?? 100,
    retryAfterMs: options.retryAfterMs ?? 60_000,
    advance: (limit: number) => advanceDueWithdrawals(deps, { ...scope, limit }),
    postpone: (id: string, until: Date) => postponeWithdrawal(deps, id, until),
  };
  return startPollingWorker({
    logger,
    pollMs: options.pollMs ?? 250,
    async round(isStopped) {
      // Drain everything due before sleeping again.
      while (!isStopped()) {
        const advanced = await advanceIsolatingFailures(batch, isStopped);
        if (advanced === 0) break;
        logger.debug({ advanced }, "withdrawals advanced");
      }
    },
  });
}
