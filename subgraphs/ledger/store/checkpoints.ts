// The ledger store's checkpoint statements: ledger_checkpoint and ledger_checkpoint_head
// (what a checkpoint is: ../domain/checkpoint.ts; who writes one: ../service/checkpoint.ts).
// Hashes travel as lowercase hex (decode/encode in SQL), the same text on pg and PGlite.

import type { SqlClient } from "../../shared/db/database.ts";
import type { Id } from "../../shared/ids.ts";
import type { CheckpointHead } from "../domain/checkpoint.ts";
import { CUSTOMER_KINDS, type CustomerKind } from "../domain/ledger.ts";

export interface CheckpointRecord {
  readonly id: Id<"ledgerCheckpoint">;
  readonly seq: bigint;
  readonly digest: Buffer;
  readonly headCount: number;
  readonly createdAt: Date;
}

interface CheckpointRow {
  id: Id<"ledgerCheckpoint">;
  seq: string;
  digest: string;
  head_count: number;
  created_at: Date | string;
}

function toRecord(row: CheckpointRow): CheckpointRecord {
  return {
    id: row.id,
    seq: BigInt(row.seq),
    digest: Buffer.from(row.digest, "hex"),
    headCount: Number(row.head_count),
    createdAt: new Date(row.created_at),
  };
}

interface HeadRow {
  ledger_account_id: string;
  slot: number;
  entry_id: string;
  hash: string;
}

function toHead(row: HeadRow): CheckpointHead {
  return {
    ledgerAccountId: row.ledger_account_id,
    slot: Number(row.slot),
    entryId: BigInt(row.entry_id),
    hash: Buffer.from(row.hash, "hex"),
  };
}

// seq leaves as text (exact on both drivers). A query that orders by it must name the column
// (ledger_checkpoint.seq): ORDER BY seq would mean this text alias, and put 10 before 9.
const CHECKPOINT_COLUMNS = `id, seq::text AS seq, encode(digest, 'hex') AS digest, head_count, created_at`;

// The two-key form of the advisory lock: a key space of its own, apart from the one-key locks
// of ledger_post (accounts) and the migrator.
const LOCK_CLASS = 0x6d67; // "mg"
const LOCK_CHECKPOINT = 1;

/**
 * Makes the caller's transaction a checkpointer's: REPEATABLE READ (every head read from one
 * snapshot) and the checkpoint lock, without waiting. False when another checkpointer holds it.
 * Must be the transaction's first statements.
 */
export async function beginCheckpoint(sql: SqlClient): Promise<boolean> {
  await sql.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  const [row] = await sql.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1, $2) AS locked", [LOCK_CLASS, LOCK_CHECKPOINT]);
  return row?.locked === true;
}

export async function latestCheckpoint(sql: SqlClient): Promise<CheckpointRecord | null> {
  const [row] = await sql.query<CheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoint ORDER BY ledger_checkpoint.seq DESC LIMIT 1`,
  );
  return row ? toRecord(row) : null;
}

/**
 * Every chain whose head is not the one last recorded for it (or was never recorded): per
 * balance row, one probe of the entries' (ledger_account_id, slot, created_at, id) index for its
 * head and one of the recorded heads' index. Rows without entries have no chain yet.
 */
export async function changedHeads(sql: SqlClient): Promise<CheckpointHead[]> {
  const rows = await sql.query<HeadRow>(
    `SELECT lb.ledger_account_id, lb.slot, h.id::text AS entry_id, encode(h.hash, 'hex') AS hash
       FROM ledger_balance lb
      CROSS JOIN LATERAL (SELECT le.id, le.hash FROM ledger_entry le
                           WHERE le.ledger_account_id = lb.ledger_account_id AND le.slot = lb.slot
                           ORDER BY le.created_at DESC, le.id DESC LIMIT 1) h
       LEFT JOIN LATERAL (SELECT ch.entry_id FROM ledger_checkpoint_head ch
                           WHERE ch.ledger_account_id = lb.ledger_account_id AND ch.slot = lb.slot
                           ORDER BY ch.checkpoint_seq DESC LIMIT 1) r ON true
      WHERE r.entry_id IS DISTINCT FROM h.id`,
  );
  return rows.map(toHead);
}

const HEAD_INSERT_BATCH = 5_000;

/** Writes a checkpoint and its heads. */
export async function insertCheckpoint(
  sql: SqlClient,
  checkpoint: { id: Id<"ledgerCheckpoint">; seq: bigint; digest: Uint8Array },
  heads: readonly CheckpointHead[],
): Promise<CheckpointRecord> {
  const [row] = await sql.query<CheckpointRow>(
    `INSERT INTO ledger_checkpoint (id, seq, digest, head_count, created_at)
     VALUES ($1, $2::bigint, decode($3, 'hex'), $4, clock_timestamp())
     RETURNING ${CHECKPOINT_COLUMNS}`,
    [checkpoint.id, checkpoint.seq.toString(), Buffer.from(checkpoint.digest).toString("hex"), heads.length],
  );
  for (let start = 0; start < heads.length; start += HEAD_INSERT_BATCH) {
    const batch = heads.slice(start, start + HEAD_INSERT_BATCH);
    await sql.query(
      `INSERT INTO ledger_checkpoint_head (checkpoint_seq, ledger_account_id, slot, entry_id, hash)
       SELECT $1::bigint, h.la, h.slot, h.entry_id, decode(h.hash, 'hex')
         FROM unnest($2::text[], $3::int[], $4::bigint[], $5::text[]) AS h(la, slot, entry_id, hash)`,
      [
        checkpoint.seq.toString(),
        batch.map((h) => h.ledgerAccountId),
        batch.map((h) => h.slot),
        batch.map((h) => h.entryId.toString()),
        batch.map((h) => Buffer.from(h.hash).toString("hex")),
      ],
    );
  }
  return toRecord(row!);
}

/** The checkpoints after `afterSeq`, in order, a page at a time (the verifier's walk). */
export async function checkpointsAfter(sql: SqlClient, afterSeq: bigint, limit: number): Promise<CheckpointRecord[]> {
  const rows = await sql.query<CheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoint WHERE seq > $1::bigint ORDER BY ledger_checkpoint.seq LIMIT $2`,
    [afterSeq.toString(), limit],
  );
  return rows.map(toRecord);
}

/** One checkpoint's heads, in the database's key order, a page at a time after (account, slot). */
export async function checkpointHeadsPage(
  sql: SqlClient,
  seq: bigint,
  after: { ledgerAccountId: string; slot: number } | null,
  limit: number,
): Promise<CheckpointHead[]> {
  const rows = await sql.query<HeadRow>(
    `SELECT ledger_account_id, slot, entry_id::text AS entry_id, encode(hash, 'hex') AS hash
       FROM ledger_checkpoint_head
      WHERE checkpoint_seq = $1::bigint AND ($2::text IS NULL OR (ledger_account_id, slot) > ($2::text, $3::int))
      ORDER BY ledger_account_id, slot
      LIMIT $4`,
    [seq.toString(), after?.ledgerAccountId ?? null, after?.slot ?? 0, limit],
  );
  return rows.map(toHead);
}

/** A recorded head that is not (any more) the entry it names. */
export interface RecordedHeadProblem {
  readonly checkpointId: string;
  readonly ledgerAccountId: string;
  readonly slot: number;
  readonly entryId: string;
  /** missing: no such entry; moved: it is on another chain; hash: its hash is not the recorded one. */
  readonly problem: "missing" | "moved" | "hash";
}

/**
 * Every recorded head, of the ledger accounts `accounts` selects (SQL over ledger_account `la`
 * with `params`; every account when null), checked against the entry it names: one primary key
 * probe per head.
 */
export async function recordedHeadProblems(
  sql: SqlClient,
  accounts: string | null,
  params: readonly unknown[],
): Promise<RecordedHeadProblem[]> {
  return sql.query<RecordedHeadProblem>(
    `SELECT c.id AS "checkpointId", ch.ledger_account_id AS "ledgerAccountId", ch.slot, ch.entry_id::text AS "entryId",
            CASE WHEN le.id IS NULL THEN 'missing'
                 WHEN le.ledger_account_id <> ch.ledger_account_id OR le.slot <> ch.slot THEN 'moved'
                 ELSE 'hash' END AS problem
       FROM ledger_checkpoint_head ch
       JOIN ledger_checkpoint c ON c.seq = ch.checkpoint_seq
       LEFT JOIN ledger_entry le ON le.id = ch.entry_id
      WHERE (le.id IS NULL OR le.ledger_account_id <> ch.ledger_account_id OR le.slot <> ch.slot OR le.hash <> ch.hash)
        ${accounts === null ? "" : `AND ch.ledger_account_id IN (SELECT la.id FROM (${accounts}) la)`}
      ORDER BY ch.checkpoint_seq, ch.ledger_account_id, ch.slot`,
    params,
  );
}

/** A chain's head: its latest entry, or as a checkpoint recorded it. */
export interface ChainHeadRow {
  readonly ledgerAccountId: string;
  readonly hash: Buffer;
  /** When its entry was applied (null if that entry is gone). */
  readonly appliedAt: Date | null;
}

/** The current heads of these (customer, one-slot) ledger accounts' chains; accounts without entries are absent. */
export async function currentHeads(sql: SqlClient, ledgerAccountIds: readonly string[]): Promise<ChainHeadRow[]> {
  const rows = await sql.query<{ ledger_account_id: string; hash: string; created_at: Date | string }>(
    `SELECT a.id AS ledger_account_id, encode(h.hash, 'hex') AS hash, h.created_at
       FROM unnest($1::text[]) AS a(id)
      CROSS JOIN LATERAL (SELECT le.hash, le.created_at FROM ledger_entry le
                           WHERE le.ledger_account_id = a.id AND le.slot = 0
                           ORDER BY le.created_at DESC, le.id DESC LIMIT 1) h`,
    [[...ledgerAccountIds]],
  );
  return rows.map((row) => ({
    ledgerAccountId: row.ledger_account_id,
    hash: Buffer.from(row.hash, "hex"),
    appliedAt: new Date(row.created_at),
  }));
}

/** The heads of these ledger accounts' chains (slot 0) as recorded at or before checkpoint `seq`. */
export async function recordedHeads(sql: SqlClient, ledgerAccountIds: readonly string[], seq: bigint): Promise<ChainHeadRow[]> {
  const rows = await sql.query<{ ledger_account_id: string; hash: string; created_at: Date | string | null }>(
    `SELECT a.id AS ledger_account_id, encode(r.hash, 'hex') AS hash, le.created_at
       FROM unnest($1::text[]) AS a(id)
      CROSS JOIN LATERAL (SELECT ch.entry_id, ch.hash FROM ledger_checkpoint_head ch
                           WHERE ch.ledger_account_id = a.id AND ch.slot = 0 AND ch.checkpoint_seq <= $2::bigint
                           ORDER BY ch.checkpoint_seq DESC LIMIT 1) r
       LEFT JOIN ledger_entry le ON le.id = r.entry_id`,
    [[...ledgerAccountIds], seq.toString()],
  );
  return rows.map((row) => ({
    ledgerAccountId: row.ledger_account_id,
    hash: Buffer.from(row.hash, "hex"),
    appliedAt: row.created_at === null ? null : new Date(row.created_at),
  }));
}

/** The customer ledger accounts (one slot each) of an account in one currency and mode, by kind. */
export async function customerLedgerAccounts(
  sql: SqlClient,
  scope: { readonly tenantId: string; readonly livemode: boolean },
  accountId: string,
  currency: string,
): Promise<{ id: string; kind: CustomerKind }[]> {
  return sql.query<{ id: string; kind: CustomerKind }>(
    `SELECT la.id, la.kind::text AS kind FROM ledger_account la
      WHERE la.tenant_id = $1 AND la.livemode = $2 AND la.account_id = $3 AND la.currency = $4
        AND la.kind = ANY($5::text[]::"LedgerAccountKind"[])`,
    [scope.tenantId, scope.livemode, accountId, currency, [...CUSTOMER_KINDS]],
  );
}

export async function findCheckpoint(sql: SqlClient, id: string): Promise<CheckpointRecord | null> {
  const [row] = await sql.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoint WHERE id = $1`, [id]);
  return row ? toRecord(row) : null;
}
