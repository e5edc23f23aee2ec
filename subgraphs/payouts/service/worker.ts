// The payouts subgraph's background work: the bank rail simulator. Runs beside the payouts
// subgraph (all-in-one or standalone) and in `npm run start:worker`; safe with several running.
// A payout whose step keeps failing is postponed, not allowed to hold up the rest.

import type { Dependencies } from "../../shared/context.ts";
import { startStepWorker, type StepWorkerOptions, type Worker } from "../../shared/worker.ts";
import { advanceDuePayouts, DEFAULT_BATCH, postponePayout, type AdvanceOptions } from "./advance-payouts.ts";

export type { Worker };

export function startPayoutsWorker(deps: Dependencies, options: StepWorkerOptions = {}): Worker {
  const scope: AdvanceOptions = options.tenantId ? { tenantId: options.tenantId } : {};
  return startStepWorker(
    {
      name: "payouts",
      logger: deps.logger.child({ worker: "payouts" }),
      outage: deps.outage,
      advance: async (limit) => (await advanceDuePayouts(deps, { ...scope, limit })).advanced.length,
      postpone: (id, until) => postponePayout(deps, id, until),
    },
    { ...options, batchSize: options.batchSize ?? DEFAULT_BATCH },
  );
}
