// The crypto subgraph's background work: advancing withdrawals on the simulated chain. Runs
// inside the crypto process (all-in-one or standalone); safe with several running.

import type { Dependencies } from "../../shared/context.ts";
import { startPollingWorker, type Worker } from "../../shared/worker.ts";
import { advanceDueWithdrawals } from "./advance-withdrawals.ts";

export type { Worker };

export function startCryptoWorker(deps: Dependencies, pollMs = 250): Worker {
  return startPollingWorker({
    logger: deps.logger.child({ worker: "crypto" }),
    pollMs,
    async round(stopped) {
      // Drain everything due before sleeping again.
      while (!stopped() && (await advanceDueWithdrawals(deps)) > 0);
    },
  });
}
