// The balances subgraph's background work: settle due top-ups, forget expired idempotency keys.
// Runs inside the balances process (all-in-one or standalone); safe with several running.

import type { Dependencies } from "../../shared/context.ts";
import { startPollingWorker, type Worker } from "../../shared/worker.ts";
import { settleDueTopups } from "./settle-topups.ts";

export type { Worker };

const PURGE_EVERY_MS = 60 * 60 * 1000;

export function startBalancesWorker(deps: Dependencies, pollMs = 250): Worker {
  const logger = deps.logger.child({ worker: "balances" });
  let lastPurge = 0;
  return startPollingWorker({
    logger,
    outage: deps.outage,
    pollMs,
    async round(stopped) {
      // Drain everything due before sleeping again.
      while (!stopped() && (await settleDueTopups(deps)) > 0);
      if (Date.now() - lastPurge > PURGE_EVERY_MS) {
        lastPurge = Date.now();
        const purged = await deps.idempotency.purgeExpired();
        if (purged > 0) logger.info({ purged }, "expired idempotency keys purged");
      }
    },
  });
}
