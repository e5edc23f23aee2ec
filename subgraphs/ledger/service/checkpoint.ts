// Writing a checkpoint of the ledger's hash chains (what one is: ../domain/checkpoint.ts). Run
// periodically by the balances worker (LEDGER_CHECKPOINT_INTERVAL_MS) and on demand
// (`npm run ledger:checkpoint`); safe with several running: one checkpointer at a time holds the
// checkpoint lock, and the others skip their round rather than queue behind it.
//
// The heads are read in one REPEATABLE READ snapshot, so the checkpoint is the state of every
// chain at one moment. Its cost is one index probe per balance row (plus one on the recorded
// heads); what it holds in memory is the heads that changed since the previous checkpoint (the
// canonical text is sorted), which the interval keeps small: only the first checkpoint of a
// large existing ledger holds one head per balance row.

import type { Database } from "../../shared/db/database.ts";
import { sqlStateOf } from "../../shared/db/errors.ts";
import { newId } from "../../shared/ids.ts";
import { CHECKPOINT_GENESIS, checkpointDigest, compareHeads } from "../domain/checkpoint.ts";
import { beginCheckpoint, changedHeads, insertCheckpoint, latestCheckpoint, type CheckpointRecord } from "../store/checkpoints.ts";

export type { CheckpointRecord } from "../store/checkpoints.ts";

export type CheckpointOutcome =
  | { readonly written: CheckpointRecord; readonly skipped?: undefined }
  /** unchanged: no head moved since the previous checkpoint; busy: another checkpointer is at it. */
  | { readonly written?: undefined; readonly skipped: "unchanged" | "busy" };

export async function checkpointLedger(db: Database): Promise<CheckpointOutcome> {
  try {
    return await db.transaction(async (sql): Promise<CheckpointOutcome> => {
      if (!(await beginCheckpoint(sql))) return { skipped: "busy" };
      const previous = await latestCheckpoint(sql);
      const heads = (await changedHeads(sql)).sort(compareHeads);
      if (heads.length === 0) return { skipped: "unchanged" };
      const digest = checkpointDigest(previous?.digest ?? CHECKPOINT_GENESIS, heads);
      const written = await insertCheckpoint(sql, { id: newId("ledgerCheckpoint"), seq: (previous?.seq ?? 0n) + 1n, digest }, heads);
      return { written };
    });
  } catch (error) {
    // The lock is taken in the snapshot's first statement, so a checkpointer can take it just
    // after another committed and still read the state before that commit: its checkpoint then
    // collides with the committed one on seq (or on the snapshot) and is abandoned, never written twice.
    const state = sqlStateOf(error);
    if (state === "23505" || state === "40001") return { skipped: "busy" };
    throw error;
  }
}
