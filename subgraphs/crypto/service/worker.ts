// The crypto subgraph's background work: advancing withdrawals on the simulated chain. Runs
// inside the crypto process (all-in-one or standalone) and in `npm run start:worker`; safe with
// several running. A withdrawal whose step keeps failing is postponed, not allowed to hold up
// the rest.

import type { Dependencies } from "../../shared/context.ts";
import { startLifecycleWorker } from "../../shared/lifecycle/advance.ts";
import type { StepWorkerOptions, Worker } from "../../shared/worker.ts";
import { withdrawalChain } from "./advance-withdrawals.ts";

export type { Worker };

export function startCryptoWorker(deps: Dependencies, options: StepWorkerOptions = {}): Worker {
  return startLifecycleWorker(
    deps.db,
    withdrawalChain,
    { name: "withdrawals", logger: deps.logger.child({ worker: "crypto" }), outage: deps.outage },
    options,
  );
}
