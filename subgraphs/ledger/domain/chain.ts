// The ledger's hash chains, pure. Every balance row (a ledger account and slot) has one: its
// entries in order (created_at, id), each committing to the one before it and to its own
// content, so an entry edited, removed or inserted behind the ledger's back breaks the chain at
// that entry. ledger_post (../sql/ledger_post.sql) computes the same hashes in SQL as it writes
// the entries; this file is the definition a verifier (or a partner holding receipts) computes
// them from, and ./chain.test.ts with ../store/chain.int.test.ts check that the two agree.

import { createHash } from "node:crypto";

/** The hash before a chain's first entry: 32 zero bytes. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** What an entry's hash commits to. */
export interface ChainedEntryContent {
  readonly ledgerAccountId: string;
  /** The balance row it changed (0 for a customer balance). */
  readonly slot: number;
  readonly transactionId: string;
  readonly currency: string;
  /** Signed minor units. */
  readonly amount: bigint;
  /** A customer balance right after the entry; null for a clearing account. */
  readonly balanceAfter: bigint | null;
  /** When it was applied, in microseconds since the epoch (the column's full precision). */
  readonly createdAtMicros: bigint;
}

/**
 * The entry's canonical bytes: its fields as decimal text joined by "|", UTF-8 (ids, currencies
 * and numbers never contain "|"); balanceAfter is empty when null.
 */
export function entryContent(entry: ChainedEntryContent): Buffer {
  return Buffer.from(
    [
      entry.ledgerAccountId,
      String(entry.slot),
      entry.transactionId,
      entry.currency,
      entry.amount.toString(),
      entry.balanceAfter === null ? "" : entry.balanceAfter.toString(),
      entry.createdAtMicros.toString(),
    ].join("|"),
    "utf8",
  );
}

/** sha256(previous hash || the entry's content). */
export function entryHash(previousHash: Uint8Array, entry: ChainedEntryContent): Buffer {
  return createHash("sha256").update(previousHash).update(entryContent(entry)).digest();
}
