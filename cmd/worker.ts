// `npm run start:worker`: the background workers without any API, against DATABASE_URL: the
// payouts bank rail simulator, the balances settlement worker and the crypto withdrawals
// worker. Safe beside the subgraph processes and other worker processes (each claims its work
// with FOR UPDATE SKIP LOCKED). SIGTERM
// or SIGINT stops cleanly: the batch in flight commits or rolls back, then the pool closes.
import { startBalancesWorker } from "../subgraphs/balances/api.ts";
import { startCryptoWorker } from "../subgraphs/crypto/api.ts";
import { createDependencies } from "../subgraphs/dependencies.ts";
import { startPayoutsWorker } from "../subgraphs/payouts/api.ts";
import { boot, exitOnStartFailure } from "./main.ts";
import { openMigratedDatabase, stopOnSignals } from "./platform.ts";

const { config, logger } = boot("worker", { allowGeneratedSecret: true });
if (!config.DATABASE_URL) {
  console.error(
    "Invalid configuration:\n  DATABASE_URL: required to run the worker on its own (embedded PGlite is one process; use `npm start`)",
  );
  process.exit(78);
}

openMigratedDatabase(config, logger)
  .then((db) => {
    const deps = createDependencies(db, config, logger);
    const workers = [startPayoutsWorker(deps), startBalancesWorker(deps), startCryptoWorker(deps)];
    stopOnSignals(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await deps.stop();
      await db.close();
    }, logger);
    logger.info({ payoutStepMs: config.PAYOUT_STEP_MS, settlementDelayMs: config.SETTLEMENT_DELAY_MS }, "worker started");
  })
  .catch(exitOnStartFailure(logger));
