// The crypto subgraph's background work: advancing withdrawals on the simulated chain. Runs
// inside the crypto process (all-in-one or standalone) and in `npm run start:worker`; safe with
// several running. A withdrawal whose step keeps failing is postponed, not allowed to hold up
// the rest.

import type { Dependencies } from "../../shared/context.ts";
import { startStepWorker, type StepWorkerOptions, type Worker } from "../../shared/worker.ts";
import { advanceDueWithdrawals, postponeWithdrawal, type AdvanceOptions } from "./advance-withdrawals.ts";

export type { Worker };

export function startCryptoWorker(deps: Dependencies, options: StepWorkerOptions = {}): Worker {
  const scope: AdvanceOptions = options.tenantId ? { tenantId: options.tenantId } : {};
  return startStepWorker(
    {
      name: "withdrawals",
      logger: deps.logger.child({ worker: "crypto" }),
      outage: deps.outage,
      advance: (limit) => advanceDueWithdrawals(deps, { ...scope, limit }),
      postpone: (id, until) => postponeWithdrawal(deps, id, until),
    },
    { ...options, batchSize: options.batchSize ?? 100 },
  );
}
