// `npm run ledger:checkpoint`: writes a checkpoint of the ledger's hash chains now, against
// DATABASE_URL (or the embedded database in DATA_DIR), as the balances worker does every
// LEDGER_CHECKPOINT_INTERVAL_MS. Prints the checkpoint (id, number, heads, digest), or why none
// was written (no chain moved since the last one; another checkpointer was at it).
import { boot } from "../cmd/main.ts";
import { openMigratedDatabase } from "../cmd/platform.ts";
import { checkpointLedger } from "../subgraphs/ledger/api.ts";

const { config, logger } = boot("ledger-checkpoint", { allowGeneratedSecret: true });
const db = await openMigratedDatabase(config, logger);
try {
  const outcome = await checkpointLedger(db);
  if (outcome.written) {
    const { id, seq, headCount, digest, createdAt } = outcome.written;
    console.log(`checkpoint ${id} number ${seq}: ${headCount} heads, digest ${digest.toString("hex")}, at ${createdAt.toISOString()}`);
  } else {
    console.log(
      outcome.skipped === "unchanged"
        ? "no checkpoint: no chain moved since the last one"
        : "no checkpoint: another checkpointer is writing one",
    );
  }
} finally {
  await db.close();
}
