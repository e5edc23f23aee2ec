// The ledger's integrity check: for one account, one tenant, or the whole ledger,
//   1. every ledger transaction has two or more entries that sum to zero per currency;
//   2. every entry is in its ledger account's currency;
//   3. every balance (the sum of its slots) equals the sum of its entries;
//   4. no customer balance (AVAILABLE, PENDING, HELD) is negative;
//   5. every balance event matches a balance that existed: its available/pending/held are never
//      negative (the event stream cannot show money that was not there);
//   6. every hash chain (a ledger account and slot's entries in (created_at, id) order) holds:
//      each entry links to the previous entry's hash (the first to the genesis hash), hashes to
//      its own content, was applied after the entry before it (ids follow the chain's order),
//      and for a customer balance carries the running balance, the last one equal to the
//      balance row. The first broken entry of each chain is reported (chainBreaks);
//   7. the checkpoints: every recorded head is an existing entry of its chain with the recorded
//      hash (with 6, the chain still passes through it), and, for the whole ledger, the
//      checkpoints are numbered without a gap and every digest recomputes from its heads and the
//      previous digest.
// Run at the end of every concurrency test and by `npm run ledger:verify`.
// 1-5 are SQL over the ledger's tables. 6 and 7 are computed here in TypeScript from the rows
// (../domain/chain.ts, ../domain/checkpoint.ts), independent of the database's own functions,
// walking the chains in keyset batches so memory stays bounded whatever the ledger's size.

import type { SqlClient } from "../../shared/db/database.ts";
import { GENESIS_HASH, entryHash } from "../domain/chain.ts";
import { CHECKPOINT_GENESIS, checkpointDigest, type CheckpointHead } from "../domain/checkpoint.ts";
import { CUSTOMER_KINDS, type LedgerAccountKind } from "../domain/ledger.ts";
import { checkpointHeadsPage, checkpointsAfter, findCheckpoint, recordedHeadProblems } from "./checkpoints.ts";

export interface IntegrityScope {
  readonly tenantId?: string;
  readonly accountId?: string;
}

/** The first entry where a chain breaks. */
export interface ChainBreak {
  readonly entryId: string;
  readonly ledgerAccountId: string;
  readonly kind: string;
  readonly slot: number;
  readonly transactionId: string;
  /** What is wrong, in words. */
  readonly problem: string;
}

export interface IntegrityReport {
  readonly ok: boolean;
  readonly transactionsChecked: number;
  readonly ledgerAccountsChecked: number;
  /** Hash chains walked (ledger account and slot pairs with entries). */
  readonly chainsChecked: number;
  /** Entries whose links and hashes were recomputed. */
  readonly entriesChecked: number;
  readonly checkpointsChecked: number;
  readonly chainBreaks: ChainBreak[];
  readonly problems: string[];
}

export interface IntegrityOptions {
  /** Entries read per statement while walking the chains (and heads per statement). */
  readonly batchSize?: number;
}

export async function verifyLedger(sql: SqlClient, scope: IntegrityScope = {}, options: IntegrityOptions = {}): Promise<IntegrityReport> {
  const filters: string[] = [];
  const params: string[] = [];
  if (scope.tenantId) {
    params.push(scope.tenantId);
    filters.push(`la.tenant_id = $${params.length}`);
  }
  if (scope.accountId) {
    params.push(scope.accountId);
    filters.push(`la.account_id = $${params.length}`);
  }
  const where = filters.length > 0 ? `WHERE ${filters.join(" AND ")}` : "";
  const accounts = `SELECT la.* FROM ledger_account la ${where}`;
  // The transactions that touched the scope's ledger accounts: checked whole, every entry.
  const transactions = `SELECT DISTINCT le.transaction_id FROM ledger_entry le JOIN (${accounts}) la ON la.id = le.ledger_account_id`;
  const problems: string[] = [];

  const unbalanced = await sql.query<{ transaction_id: string; currency: string; total: string; entries: string }>(
    `SELECT le.transaction_id, le.currency, SUM(le.amount)::text AS total, COUNT(*)::text AS entries
       FROM ledger_entry le
      WHERE le.transaction_id IN (${transactions})
      GROUP BY le.transaction_id, le.currency
     HAVING SUM(le.amount) <> 0`,
    params,
  );
  for (const row of unbalanced) problems.push(`transaction ${row.transaction_id} sums to ${row.total} ${row.currency}`);

  const thin = await sql.query<{ transaction_id: string; entries: string }>(
    `SELECT le.transaction_id, COUNT(*)::text AS entries FROM ledger_entry le
      WHERE le.transaction_id IN (${transactions})
      GROUP BY le.transaction_id HAVING COUNT(*) < 2`,
    params,
  );
  for (const row of thin) problems.push(`transaction ${row.transaction_id} has ${row.entries} entry`);

  const wrongCurrency = await sql.query<{ id: string }>(
    `SELECT le.id::text FROM ledger_entry le JOIN (${accounts}) la ON la.id = le.ledger_account_id WHERE le.currency <> la.currency`,
    params,
  );
  for (const row of wrongCurrency) problems.push(`entry ${row.id} is not in its account's currency`);

  const drift = await sql.query<{ id: string; kind: string; balance: string; entries: string }>(
    `SELECT la.id, la.kind::text AS kind,
            COALESCE((SELECT SUM(lb.balance) FROM ledger_balance lb WHERE lb.ledger_account_id = la.id), 0)::text AS balance,
            COALESCE((SELECT SUM(le.amount) FROM ledger_entry le WHERE le.ledger_account_id = la.id), 0)::text AS entries
       FROM (${accounts}) la
      WHERE COALESCE((SELECT SUM(lb.balance) FROM ledger_balance lb WHERE lb.ledger_account_id = la.id), 0)
         <> COALESCE((SELECT SUM(le.amount) FROM ledger_entry le WHERE le.ledger_account_id = la.id), 0)`,
    params,
  );
  for (const row of drift)
    problems.push(`ledger account ${row.id} (${row.kind}) holds ${row.balance} but its entries sum to ${row.entries}`);

  const negative = await sql.query<{ id: string; kind: string; balance: string }>(
    `SELECT la.id, la.kind::text AS kind, SUM(lb.balance)::text AS balance
       FROM (${accounts}) la JOIN ledger_balance lb ON lb.ledger_account_id = la.id
      WHERE NOT la.allow_negative
      GROUP BY la.id, la.kind
     HAVING SUM(lb.balance) < 0 OR MIN(lb.balance) < 0`,
    params,
  );
  for (const row of negative) problems.push(`customer balance ${row.id} (${row.kind}) is negative: ${row.balance}`);

  const eventFilter = [scope.tenantId ? `be.tenant_id = $1` : "", scope.accountId ? `be.account_id = $${params.length}` : ""].filter(
    Boolean,
  );
  const badEvents = await sql.query<{ id: string }>(
    `SELECT be.id FROM balance_event be WHERE (be.available < 0 OR be.pending < 0 OR be.held < 0) ${eventFilter.length > 0 ? `AND ${eventFilter.join(" AND ")}` : ""}`,
    params,
  );
  for (const row of badEvents) problems.push(`balance event ${row.id} shows a negative balance`);

  const [counts] = await sql.query<{ transactions: string; accounts: string }>(
    `SELECT (SELECT COUNT(*) FROM (${transactions}) t)::text AS transactions, (SELECT COUNT(*) FROM (${accounts}) a)::text AS accounts`,
    params,
  );
  const batchSize = options.batchSize ?? 5_000;
  const scoped = filters.length > 0;
  const chains = await verifyChains(sql, scoped ? { accounts, params } : null, batchSize);
  for (const item of chains.breaks)
    problems.push(
      `chain of ${item.ledgerAccountId} (${item.kind}) slot ${item.slot} breaks at entry ${item.entryId} (transaction ${item.transactionId}): ${item.problem}`,
    );
  const checkpoints = await verifyCheckpoints(sql, scoped ? { accounts, params } : null, batchSize);
  problems.push(...checkpoints.problems);

  return {
    ok: problems.length === 0,
    transactionsChecked: Number(counts?.transactions ?? 0),
    ledgerAccountsChecked: Number(counts?.accounts ?? 0),
    chainsChecked: chains.chains,
    entriesChecked: chains.entries,
    checkpointsChecked: checkpoints.checked,
    chainBreaks: chains.breaks,
    problems,
  };
}

/** Ledger accounts to check: SQL over ledger_account selecting them, with its parameters; null for all. */
interface AccountSelection {
  readonly accounts: string;
  readonly params: readonly unknown[];
}

interface EntryRow {
  id: string;
  ledger_account_id: string;
  slot: number;
  transaction_id: string;
  currency: string;
  amount: string;
  balance_after: string | null;
  micros: string;
  /** created_at as the database prints it: the keyset cursor, exact to the microsecond. */
  at: string;
  prev_hash: string;
  hash: string;
}

const ENTRY_COLUMNS = `le.id::text AS id, le.ledger_account_id, le.slot, le.transaction_id, le.currency, le.amount::text AS amount,
  le.balance_after::text AS balance_after, (extract(epoch FROM le.created_at) * 1000000)::bigint::text AS micros,
  le.created_at::text AS at, encode(le.prev_hash, 'hex') AS prev_hash, encode(le.hash, 'hex') AS hash`;

/**
 * One batch of entries in chain order (ledger account, slot, created_at, id) after the cursor:
 * a range scan of the (ledger_account_id, slot, created_at, id) index, of one ledger account or
 * of the whole ledger.
 */
function entryBatch(sql: SqlClient, ledgerAccountId: string | null, after: EntryRow | null, limit: number): Promise<EntryRow[]> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (ledgerAccountId !== null) {
    params.push(ledgerAccountId);
    conditions.push(`le.ledger_account_id = $${params.length}`);
  }
  if (after !== null) {
    params.push(after.ledger_account_id, after.slot, after.at, after.id);
    const n = params.length;
    conditions.push(
      `(le.ledger_account_id, le.slot, le.created_at, le.id) > ($${n - 3}, $${n - 2}::int, $${n - 1}::timestamptz, $${n}::bigint)`,
    );
  }
  params.push(limit);
  return sql.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM ledger_entry le ${conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : ""}
      ORDER BY le.ledger_account_id, le.slot, le.created_at, le.id LIMIT $${params.length}`,
    params,
  );
}

/** Where the walk is on the chain it is in. */
interface ChainState {
  readonly ledgerAccountId: string;
  readonly slot: number;
  readonly kind: string;
  last: EntryRow;
  broken: boolean;
}

async function verifyChains(
  sql: SqlClient,
  selection: AccountSelection | null,
  batchSize: number,
): Promise<{ chains: number; entries: number; breaks: ChainBreak[] }> {
  const breaks: ChainBreak[] = [];
  let chains = 0;
  let entries = 0;
  let chain: ChainState | null = null;
  // Chains that ended and whose last running balance is still to be compared with their row.
  let ended: ChainState[] = [];

  const breakAt = (state: ChainState, row: EntryRow, problem: string) => {
    state.broken = true;
    breaks.push({
      entryId: row.id,
      ledgerAccountId: row.ledger_account_id,
      kind: state.kind,
      slot: row.slot,
      transactionId: row.transaction_id,
      problem,
    });
  };

  // The balance row and the chain's head are read in one statement (one snapshot): a posting
  // committed since the walk read the chain moves both together. Should the head have moved,
  // the row is compared with the new head, which the walk has not seen.
  const settleEnded = async () => {
    const customer = ended.filter((state) => !state.broken && CUSTOMER_KINDS.has(state.kind as LedgerAccountKind));
    ended = [];
    if (customer.length === 0) return;
    const rows = await sql.query<{
      ledger_account_id: string;
      slot: number;
      balance: string | null;
      head_id: string | null;
      head_transaction_id: string | null;
      head_balance_after: string | null;
    }>(
      `SELECT c.la AS ledger_account_id, c.slot, lb.balance::text AS balance, h.id::text AS head_id,
              h.transaction_id AS head_transaction_id, h.balance_after::text AS head_balance_after
         FROM unnest($1::text[], $2::int[]) AS c(la, slot)
         LEFT JOIN ledger_balance lb ON lb.ledger_account_id = c.la AND lb.slot = c.slot
         LEFT JOIN LATERAL (SELECT le.id, le.transaction_id, le.balance_after FROM ledger_entry le
                             WHERE le.ledger_account_id = c.la AND le.slot = c.slot
                             ORDER BY le.created_at DESC, le.id DESC LIMIT 1) h ON true`,
      [customer.map((state) => state.ledgerAccountId), customer.map((state) => state.slot)],
    );
    const byChain = new Map(rows.map((row) => [`${row.ledger_account_id}|${row.slot}`, row]));
    for (const state of customer) {
      const row = byChain.get(`${state.ledgerAccountId}|${state.slot}`);
      // Its entries are gone since the walk: nothing left to compare.
      if (!row || row.head_id === null) continue;
      const head: EntryRow =
        row.head_id === state.last.id
          ? state.last
          : { ...state.last, id: row.head_id, transaction_id: row.head_transaction_id!, balance_after: row.head_balance_after };
      if (row.balance === null) breakAt(state, head, "it is the last entry of a chain without a balance row");
      else if (head.balance_after === null || BigInt(head.balance_after) !== BigInt(row.balance))
        breakAt(state, head, `the chain's last balance_after is ${head.balance_after} but the balance row holds ${row.balance}`);
    }
  };

  const walk = async (ledgerAccountId: string | null) => {
    let cursor: EntryRow | null = null;
    for (;;) {
      const rows = await entryBatch(sql, ledgerAccountId, cursor, batchSize);
      if (rows.length === 0) break;
      const kinds = await kindsOf(sql, [...new Set(rows.map((row) => row.ledger_account_id))]);
      for (const row of rows) {
        entries += 1;
        if (chain === null || chain.ledgerAccountId !== row.ledger_account_id || chain.slot !== row.slot) {
          if (chain !== null) ended.push(chain);
          chains += 1;
          chain = {
            ledgerAccountId: row.ledger_account_id,
            slot: row.slot,
            kind: kinds.get(row.ledger_account_id) ?? "UNKNOWN",
            last: row,
            broken: false,
          };
          checkEntry(chain, null, row, breakAt);
        } else {
          checkEntry(chain, chain.last, row, breakAt);
        }
        chain.last = row;
      }
      cursor = rows.at(-1)!;
      await settleEnded();
      if (rows.length < batchSize) break;
    }
  };

  if (selection === null) {
    await walk(null);
  } else {
    const ids = await sql.query<{ id: string }>(`SELECT la.id FROM (${selection.accounts}) la ORDER BY la.id`, selection.params);
    for (const { id } of ids) {
      await walk(id);
      if (chain !== null) ended.push(chain);
      chain = null;
      await settleEnded();
    }
  }
  if (chain !== null) ended.push(chain);
  await settleEnded();
  return { chains, entries, breaks };
}

async function kindsOf(sql: SqlClient, ledgerAccountIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await sql.query<{ id: string; kind: string }>(
    `SELECT id, kind::text AS kind FROM ledger_account WHERE id = ANY($1::text[])`,
    [[...ledgerAccountIds]],
  );
  return new Map(rows.map((row) => [row.id, row.kind]));
}

/** Checks one entry against the one before it on its chain (null: the chain's first); reports the first problem. */
function checkEntry(
  state: ChainState,
  previous: EntryRow | null,
  row: EntryRow,
  breakAt: (state: ChainState, row: EntryRow, problem: string) => void,
): void {
  if (state.broken) return;
  const expectedPrev = previous === null ? GENESIS_HASH.toString("hex") : previous.hash;
  if (row.prev_hash !== expectedPrev) {
    breakAt(
      state,
      row,
      previous === null
        ? "prev_hash is not the genesis hash, yet no entry comes before it (an entry before it was removed, or it was inserted)"
        : `prev_hash does not link to entry ${previous.id}, the entry before it (an entry between them was removed or inserted, or one of them rewritten)`,
    );
    return;
  }
  // ledger_post draws ids in chain order; an entry whose time puts it after one applied later
  // had its created_at moved.
  if (previous !== null && BigInt(row.id) <= BigInt(previous.id)) {
    breakAt(state, row, `created_at goes back: it was applied before entry ${previous.id} but is stamped after it`);
    return;
  }
  const customer = CUSTOMER_KINDS.has(state.kind as LedgerAccountKind);
  const balanceAfter = row.balance_after === null ? null : BigInt(row.balance_after);
  const recomputed = entryHash(Buffer.from(row.prev_hash, "hex"), {
    ledgerAccountId: row.ledger_account_id,
    slot: row.slot,
    transactionId: row.transaction_id,
    currency: row.currency,
    amount: BigInt(row.amount),
    balanceAfter,
    createdAtMicros: BigInt(row.micros),
  });
  if (recomputed.toString("hex") !== row.hash) {
    breakAt(state, row, "hash does not match its content (amount, balance_after, time or another field was edited)");
    return;
  }
  if (customer) {
    const before = previous === null ? 0n : previous.balance_after === null ? null : BigInt(previous.balance_after);
    const expected = before === null ? null : before + BigInt(row.amount);
    if (balanceAfter === null || expected === null || balanceAfter !== expected)
      breakAt(
        state,
        row,
        `balance_after is ${row.balance_after ?? "null"} but the balance before it plus its amount is ${expected ?? "unknown"}`,
      );
  } else if (balanceAfter !== null) {
    breakAt(state, row, "a clearing account's entry carries a balance_after");
  }
}

async function verifyCheckpoints(
  sql: SqlClient,
  selection: AccountSelection | null,
  batchSize: number,
): Promise<{ checked: number; problems: string[] }> {
  const problems: string[] = [];
  let checked = 0;
  // The digests chain through every head of every checkpoint: recomputed for the whole ledger only.
  if (selection === null) {
    let previous: { seq: bigint; digest: Uint8Array } = { seq: 0n, digest: CHECKPOINT_GENESIS };
    for (;;) {
      const page = await checkpointsAfter(sql, previous.seq, 100);
      for (const checkpoint of page) {
        checked += 1;
        if (checkpoint.seq !== previous.seq + 1n)
          problems.push(
            `checkpoint ${checkpoint.id} is number ${checkpoint.seq} but follows number ${previous.seq}: a checkpoint is missing`,
          );
        const heads: CheckpointHead[] = [];
        for (;;) {
          const last = heads.at(-1);
          const more = await checkpointHeadsPage(
            sql,
            checkpoint.seq,
            last ? { ledgerAccountId: last.ledgerAccountId, slot: last.slot } : null,
            batchSize,
          );
          heads.push(...more);
          if (more.length < batchSize) break;
        }
        if (heads.length !== checkpoint.headCount)
          problems.push(
            `checkpoint ${checkpoint.id} (number ${checkpoint.seq}) recorded ${checkpoint.headCount} heads but ${heads.length} remain`,
          );
        if (!checkpointDigest(previous.digest, heads).equals(checkpoint.digest))
          problems.push(
            `checkpoint ${checkpoint.id} (number ${checkpoint.seq}): its digest does not match its heads and the previous checkpoint's digest`,
          );
        // Go on from the digest as stored, so that only the checkpoint that breaks is named.
        previous = { seq: checkpoint.seq, digest: checkpoint.digest };
      }
      if (page.length < 100) break;
    }
  } else {
    const [row] = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ledger_checkpoint`);
    checked = Number(row?.n ?? 0);
  }
  const wrong = {
    missing: "that entry no longer exists",
    moved: "that entry is now on another chain",
    hash: "that entry's hash is no longer the recorded one",
  };
  for (const head of await recordedHeadProblems(sql, selection?.accounts ?? null, selection?.params ?? []))
    problems.push(
      `checkpoint ${head.checkpointId} recorded entry ${head.entryId} as the head of ${head.ledgerAccountId} slot ${head.slot}, but ${wrong[head.problem]}`,
    );
  return { checked, problems };
}

/** A checkpoint as a partner kept it (Account.ledgerProof's checkpoint). */
export interface CheckpointReceipt {
  readonly checkpointId: string;
  /** Lowercase hex. */
  readonly digest: string;
}

/**
 * The problems with a kept receipt: its checkpoint gone, or its digest changed. With a whole-
 * ledger verifyLedger that passes (every digest recomputed from the first), a receipt that
 * matches proves that nothing its checkpoint committed to was rewritten since.
 */
export async function checkReceipt(sql: SqlClient, receipt: CheckpointReceipt): Promise<string[]> {
  const checkpoint = await findCheckpoint(sql, receipt.checkpointId);
  if (!checkpoint) return [`receipt: checkpoint ${receipt.checkpointId} no longer exists`];
  const digest = checkpoint.digest.toString("hex");
  if (digest !== receipt.digest.toLowerCase())
    return [
      `receipt: checkpoint ${receipt.checkpointId} (number ${checkpoint.seq}) has digest ${digest}, not the receipt's ${receipt.digest}`,
    ];
  return [];
}
