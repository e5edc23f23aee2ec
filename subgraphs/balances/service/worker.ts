// The balances subgraph's background work: settle due top-ups, release holds past their
// expiresAt (every HOLD_EXPIRY_POLL_MS), forget expired idempotency keys, checkpoint the
// ledger's hash chains (LEDGER_CHECKPOINT_INTERVAL_MS; several workers skip rather than queue:
// one checkpointer at a time).
// Runs inside the balances process (all-in-one or standalone); safe with several running. A
// top-up whose settlement keeps failing is postponed, not allowed to hold up the rest.

import { checkpointLedger } from "../../ledger/api.ts";
import type { Dependencies } from "../../shared/context.ts";
import { startPollingWorker, startStepWorker, type Worker } from "../../shared/worker.ts";
import { expireDueHolds, postponeExpiry } from "./expire-holds.ts";
import { postponeTopup, settleDueTopups } from "./settle-topups.ts";

export type { Worker };

const PURGE_EVERY_MS = 60 * 60 * 1000;
const SETTLEMENT_BATCH = 200;
const EXPIRY_BATCH = 200;

export function startBalancesWorker(deps: Dependencies, pollMs = 250, holdPollMs = deps.config.HOLD_EXPIRY_POLL_MS): Worker {
  const logger = deps.logger.child({ worker: "balances" });
  const settlement = startStepWorker(
    {
      name: "settlement",
      logger,
      outage: deps.outage,
      advance: (limit) => settleDueTopups(deps, new Date(), limit),
      postpone: (id, until) => postponeTopup(deps, id, until),
    },
    { pollMs, batchSize: SETTLEMENT_BATCH },
  );
  const expiry = startStepWorker(
    {
      name: "hold-expiry",
      logger,
      outage: deps.outage,
      advance: (limit) => expireDueHolds(deps, new Date(), limit),
      postpone: (id, until) => postponeExpiry(deps, id, until),
    },
    { pollMs: holdPollMs, batchSize: EXPIRY_BATCH },
  );
  const purge = startPollingWorker({
    name: "idempotency-purge",
    logger,
    outage: deps.outage,
    pollMs: PURGE_EVERY_MS,
    async round() {
      const purged = await deps.idempotency.purgeExpired();
      if (purged > 0) logger.info({ purged }, "expired idempotency keys purged");
    },
  });
  const checkpointEveryMs = deps.config.LEDGER_CHECKPOINT_INTERVAL_MS;
  const checkpoint =
    checkpointEveryMs > 0
      ? startPollingWorker({
          name: "ledger-checkpoint",
          logger,
          outage: deps.outage,
          pollMs: checkpointEveryMs,
          async round() {
            const outcome = await checkpointLedger(deps.db);
            if (outcome.written)
              logger.info(
                { checkpoint: outcome.written.id, seq: String(outcome.written.seq), heads: outcome.written.headCount },
                "ledger checkpoint written",
              );
          },
        })
      : undefined;
  return {
    async stop() {
      await Promise.all([settlement.stop(), expiry.stop(), purge.stop(), checkpoint?.stop()]);
    },
  };
}
