// The payouts subgraph's background work: the bank rail simulator. Runs beside the payouts
// subgraph (all-in-one or standalone) and in `npm run start:worker`; safe with several running.
// A payout whose step keeps failing is postponed, not allowed to hold up the rest.

import type { Dependencies } from "../../shared/context.ts";
import { startLifecycleWorker } from "../../shared/lifecycle/advance.ts";
import type { StepWorkerOptions, Worker } from "../../shared/worker.ts";
import { payoutRail } from "./advance-payouts.ts";

export type { Worker };

export function startPayoutsWorker(deps: Dependencies, options: StepWorkerOptions = {}): Worker {
  return startLifecycleWorker(
    deps.db,
    payoutRail,
    { name: "payouts", logger: deps.logger.child({ worker: "payouts" }), outage: deps.outage },
    options,
  );
}
