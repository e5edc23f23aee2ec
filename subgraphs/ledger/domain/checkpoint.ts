// Checkpoints of the ledger's hash chains, pure. A checkpoint records the heads (latest entries)
// of the chains that changed since the previous checkpoint, and a digest over them chained to
// the previous checkpoint's digest:
//
//   digest(N) = sha256(digest(N-1) || checkpointContent(heads of N)),  digest(0) = GENESIS_HASH
//
// so checkpoint N commits to every head ever recorded, and through each head's hash to its whole
// chain. A partner who keeps one digest (or one head hash) can later tell whether the history
// before it was rewritten. The writer (../service/checkpoint.ts) and the verifier
// (../store/integrity.ts) both compute it here; ./checkpoint.test.ts pins the text.

import { createHash } from "node:crypto";
import { GENESIS_HASH } from "./chain.ts";

/** A chain's head as a checkpoint records it. */
export interface CheckpointHead {
  readonly ledgerAccountId: string;
  /** The balance row (slot) whose chain it is. */
  readonly slot: number;
  /** The head entry's id. */
  readonly entryId: bigint;
  /** The head entry's hash. */
  readonly hash: Uint8Array;
}

/** The digest before the first checkpoint: 32 zero bytes, as a chain's genesis. */
export const CHECKPOINT_GENESIS: Buffer = GENESIS_HASH;

/**
 * Canonical order: by ledger account id, compared as UTF-16 code units (ids are ASCII, so this is
 * byte order, whatever the database's collation), then by slot.
 */
export function compareHeads(a: CheckpointHead, b: CheckpointHead): number {
  if (a.ledgerAccountId !== b.ledgerAccountId) return a.ledgerAccountId < b.ledgerAccountId ? -1 : 1;
  return a.slot - b.slot;
}

/**
 * A checkpoint's canonical text, UTF-8: one line per head in canonical order,
 * `ledgerAccountId|slot|entryId|hash as lowercase hex`, each ended by "\n".
 */
export function checkpointContent(heads: readonly CheckpointHead[]): Buffer {
  const lines = [...heads]
    .sort(compareHeads)
    .map((head) => `${head.ledgerAccountId}|${head.slot}|${head.entryId}|${Buffer.from(head.hash).toString("hex")}\n`);
  return Buffer.from(lines.join(""), "utf8");
}

/** sha256(the previous checkpoint's digest || this checkpoint's canonical text). */
export function checkpointDigest(previousDigest: Uint8Array, heads: readonly CheckpointHead[]): Buffer {
  return createHash("sha256").update(previousDigest).update(checkpointContent(heads)).digest();
}
