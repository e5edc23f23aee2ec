// The integrity check's chains and checkpoints: a clean ledger verifies, and every way of
// rewriting history behind the ledger's back is caught and named. The file has a database of
// its own (a private one on Postgres, a fresh PGlite otherwise): checkpoints and the
// whole-ledger check see everything in it, and other files' postings must not move its heads.
// Each tampering runs inside a transaction that the test rolls back after verifying in it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../../prisma/migrate.ts";
import { databaseMicros, untilClockPasses, usesPostgres } from "../../../test/support/database.ts";
import { openPrivateDatabase } from "../../../test/support/private-database.ts";
import { openDatabase, type Database, type SqlClient } from "../../shared/db/database.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { entryHash } from "../domain/chain.ts";
import type { Posting } from "../domain/ledger.ts";
import { post, type LedgerScope } from "../service/post.ts";
import { checkpointLedger } from "../service/checkpoint.ts";
import { verifyLedger, type IntegrityReport, type IntegrityScope } from "./integrity.ts";
import { startBalancesWorker } from "../../balances/api.ts";
import { createDependencies } from "../../dependencies.ts";
import { createLogger } from "../../shared/logger.ts";
import { testConfig } from "../../../test/support/platform.ts";

const USD = parseCurrency("USD")!;

let db: Database;
let close: () => Promise<void>;
let scope: LedgerScope;
let seller: AccountId;

async function insertAccount(tenantId?: AccountId): Promise<AccountId> {
  const id = newId("account");
  await db.prisma.account.create({
    data: {
      id,
      tenantId: tenantId ?? id,
      type: tenantId ? "CONNECTED" : "PLATFORM",
      displayName: "Chain Co",
      country: "US",
      defaultCurrency: "USD",
      status: "ACTIVE",
      payoutsEnabled: true,
    },
  });
  return id;
}

function credit(accountId: AccountId, amount: bigint): Posting {
  return {
    id: newId("ledgerTransaction"),
    kind: "TEST",
    entries: [
      { accountId: scope.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -amount },
      { accountId, currency: USD, kind: "AVAILABLE", amount },
    ],
  };
}

function hold(accountId: AccountId, amount: bigint): Posting {
  return {
    id: newId("ledgerTransaction"),
    kind: "TEST",
    entries: [
      { accountId, currency: USD, kind: "AVAILABLE", amount: -amount },
      { accountId, currency: USD, kind: "HELD", amount },
    ],
  };
}

interface Row {
  id: string;
  ledger_account_id: string;
  slot: number;
  transaction_id: string;
  currency: string;
  amount: string;
  balance_after: string | null;
  micros: string;
  prev_hash: string;
  hash: string;
}

/** A chain's entries in order: the seller's customer balance of `kind`. */
async function chainOf(sql: SqlClient, kind: string, accountId: AccountId = seller): Promise<Row[]> {
  return sql.query<Row>(
    `SELECT le.id::text AS id, le.ledger_account_id, le.slot, le.transaction_id, le.currency, le.amount::text AS amount,
            le.balance_after::text AS balance_after, (extract(epoch FROM le.created_at) * 1000000)::bigint::text AS micros,
            encode(le.prev_hash, 'hex') AS prev_hash, encode(le.hash, 'hex') AS hash
       FROM ledger_entry le JOIN ledger_account la ON la.id = le.ledger_account_id
      WHERE la.account_id = $1 AND la.kind = $2::"LedgerAccountKind"
      ORDER BY le.slot, le.created_at, le.id`,
    [accountId, kind],
  );
}

/** The hash an entry should have, computed the way an attacker who knows the scheme would. */
function hashOf(row: Row, changes: { amount?: bigint; balanceAfter?: bigint | null; micros?: bigint; prevHash?: string } = {}): string {
  return entryHash(Buffer.from(changes.prevHash ?? row.prev_hash, "hex"), {
    ledgerAccountId: row.ledger_account_id,
    slot: row.slot,
    transactionId: row.transaction_id,
    currency: row.currency,
    amount: changes.amount ?? BigInt(row.amount),
    balanceAfter: changes.balanceAfter !== undefined ? changes.balanceAfter : row.balance_after === null ? null : BigInt(row.balance_after),
    createdAtMicros: changes.micros ?? BigInt(row.micros),
  }).toString("hex");
}

const ROLLBACK = new Error("rollback");

/** Verifies inside a transaction that tampered with the ledger, then rolls the tampering back. */
async function whileTampered(
  tamper: (sql: SqlClient) => Promise<void>,
  verifyScope: IntegrityScope = {},
  batchSize?: number,
): Promise<IntegrityReport> {
  let report: IntegrityReport | undefined;
  await db
    .transaction(async (sql) => {
      await tamper(sql);
      report = await verifyLedger(sql, verifyScope, batchSize === undefined ? {} : { batchSize });
      throw ROLLBACK;
    })
    .catch((error: unknown) => {
      if (error !== ROLLBACK) throw error;
    });
  return report!;
}

function breakOf(report: IntegrityReport) {
  expect(report.ok).toBe(false);
  expect(report.chainBreaks).toHaveLength(1);
  return report.chainBreaks[0]!;
}

beforeAll(async () => {
  if (usesPostgres()) {
    const own = await openPrivateDatabase("ledger_integrity");
    db = own.db;
    close = () => own.close();
  } else {
    db = await openDatabase({});
    await db.session((sql) => migrate(sql));
    close = () => db.close();
  }
  const tenantId = await insertAccount();
  scope = { tenantId, livemode: false };
  seller = await insertAccount(tenantId);
  // Each posting stamped after the last, on PGlite's millisecond clock too: the tests move an
  // entry's time by a microsecond and expect it to keep its place in its chain.
  const postApart = async (postings: Posting[]) => {
    await post(db.sql, scope, postings);
    await untilClockPasses(db.sql, await databaseMicros(db.sql));
  };
  for (const amount of [100n, 200n, 300n, 400n]) await postApart([credit(seller, amount)]);
  await postApart([hold(seller, 50n), credit(scope.tenantId, 1_000n)]);
  await postApart([credit(seller, 500n)]);
}, 120_000);

afterAll(async () => {
  await close?.();
});

describe("verifying the hash chains", () => {
  it("finds an untouched ledger clean, whole, per tenant and per account, in batches of any size", async () => {
    const [{ n }] = (await db.sql.query<{ n: string }>("SELECT count(*)::text AS n FROM ledger_entry")) as [{ n: string }];
    for (const batchSize of [1, 2, 5_000]) {
      const whole = await verifyLedger(db.sql, {}, { batchSize });
      expect(whole.problems).toEqual([]);
      expect(whole.entriesChecked).toBe(Number(n));
      // AVAILABLE and HELD of the seller, the platform's AVAILABLE, and the clearing slots used.
      expect(whole.chainsChecked).toBeGreaterThanOrEqual(4);
    }
    const tenant = await verifyLedger(db.sql, { tenantId: scope.tenantId }, { batchSize: 2 });
    expect(tenant).toMatchObject({ ok: true, entriesChecked: Number(n) });
    const account = await verifyLedger(db.sql, { accountId: seller }, { batchSize: 2 });
    expect(account).toMatchObject({ ok: true, chainsChecked: 2, entriesChecked: 7 });
  });

  it("names the entry whose amount was edited", async () => {
    const middle = (await chainOf(db.sql, "AVAILABLE"))[2]!;
    for (const batchSize of [1, 3, 5_000]) {
      const report = await whileTampered(
        (sql) => sql.query("UPDATE ledger_entry SET amount = amount + 1 WHERE id = $1", [middle.id]).then(() => {}),
        {},
        batchSize,
      );
      expect(breakOf(report)).toEqual({
        entryId: middle.id,
        ledgerAccountId: middle.ledger_account_id,
        kind: "AVAILABLE",
        slot: 0,
        transactionId: middle.transaction_id,
        problem: expect.stringMatching(/hash does not match its content/),
      });
      expect(report.problems).toContainEqual(
        expect.stringContaining(`breaks at entry ${middle.id} (transaction ${middle.transaction_id})`),
      );
    }
  });

  it("names the entry whose balance_after was edited, and one whose running balance was rehashed to fit", async () => {
    const chain = await chainOf(db.sql, "AVAILABLE");
    const middle = chain[1]!;
    const edited = await whileTampered((sql) =>
      sql.query("UPDATE ledger_entry SET balance_after = balance_after + 7 WHERE id = $1", [middle.id]).then(() => {}),
    );
    expect(breakOf(edited)).toMatchObject({ entryId: middle.id, problem: expect.stringMatching(/hash does not match/) });
    // The first entry's running balance rewritten with its hash and every later hash: each entry
    // hashes to its content, but the running balance no longer adds up.
    const rehashed = await whileTampered(async (sql) => {
      let prevHash: string | undefined;
      for (const [index, row] of chain.entries()) {
        const balanceAfter = BigInt(row.balance_after!) + (index === 0 ? 7n : 0n);
        const hash = hashOf(row, { balanceAfter, ...(prevHash ? { prevHash } : {}) });
        await sql.query(
          "UPDATE ledger_entry SET balance_after = $2, prev_hash = decode($3, 'hex'), hash = decode($4, 'hex') WHERE id = $1",
          [row.id, balanceAfter.toString(), prevHash ?? row.prev_hash, hash],
        );
        prevHash = hash;
      }
    });
    expect(breakOf(rehashed)).toMatchObject({
      entryId: chain[0]!.id,
      problem: expect.stringMatching(/balance_after is 107 but .* is 100/),
    });
  });

  it("names the entry whose time was edited, a microsecond later or back before the entry preceding it", async () => {
    const chain = await chainOf(db.sql, "AVAILABLE");
    const [, second, third] = chain as [Row, Row, Row];
    const later = await whileTampered((sql) =>
      sql.query("UPDATE ledger_entry SET created_at = created_at + interval '1 microsecond' WHERE id = $1", [third.id]).then(() => {}),
    );
    expect(breakOf(later)).toMatchObject({ entryId: third.id, problem: expect.stringMatching(/hash does not match/) });
    const back = await whileTampered((sql) =>
      sql
        .query(
          "UPDATE ledger_entry SET created_at = (SELECT created_at FROM ledger_entry WHERE id = $2) - interval '1 millisecond' WHERE id = $1",
          [third.id, second.id],
        )
        .then(() => {}),
    );
    // It now sorts before the entry it follows, so its link is the first thing that fails.
    expect(breakOf(back)).toMatchObject({ entryId: third.id, problem: expect.stringMatching(/prev_hash does not link/) });
  });

  it("catches an entry deleted: at the entry after it, or at the end of the chain", async () => {
    const chain = await chainOf(db.sql, "AVAILABLE");
    const middle = await whileTampered((sql) => sql.query("DELETE FROM ledger_entry WHERE id = $1", [chain[2]!.id]).then(() => {}));
    expect(breakOf(middle)).toMatchObject({
      entryId: chain[3]!.id,
      problem: expect.stringMatching(`does not link to entry ${chain[1]!.id}`),
    });
    const first = await whileTampered((sql) => sql.query("DELETE FROM ledger_entry WHERE id = $1", [chain[0]!.id]).then(() => {}));
    expect(breakOf(first)).toMatchObject({ entryId: chain[1]!.id, problem: expect.stringMatching(/not the genesis hash/) });
    const last = await whileTampered((sql) => sql.query("DELETE FROM ledger_entry WHERE id = $1", [chain.at(-1)!.id]).then(() => {}));
    expect(breakOf(last)).toMatchObject({
      entryId: chain.at(-2)!.id,
      problem: expect.stringMatching(/last balance_after is .* but the balance row holds/),
    });
  });

  it("catches an entry inserted with a hash that fits: in the middle at the entry after it, at the end as the inserted one", async () => {
    const chain = await chainOf(db.sql, "AVAILABLE");
    const insert = async (sql: SqlClient, after: Row, micros: bigint) => {
      const balanceAfter = BigInt(after.balance_after!) + 1n;
      const hash = hashOf({ ...after, prev_hash: after.hash }, { amount: 1n, balanceAfter, micros });
      const [row] = await sql.query<{ id: string }>(
        `INSERT INTO ledger_entry (transaction_id, ledger_account_id, slot, currency, amount, balance_after, created_at, prev_hash, hash)
         VALUES ($1, $2, 0, 'USD', 1, $3, to_timestamp(0) + $4::bigint * interval '1 microsecond', decode($5, 'hex'), decode($6, 'hex'))
         RETURNING id::text AS id`,
        [after.transaction_id, after.ledger_account_id, balanceAfter.toString(), micros.toString(), after.hash, hash],
      );
      return row!.id;
    };
    const first = chain[0]!;
    const second = chain[1]!;
    let inserted = "";
    const middle = await whileTampered(async (sql) => {
      inserted = await insert(sql, first, BigInt(first.micros) + 1n);
    });
    expect(BigInt(second.micros)).toBeGreaterThan(BigInt(first.micros) + 1n);
    expect(breakOf(middle)).toMatchObject({ entryId: second.id, problem: expect.stringMatching(`does not link to entry ${inserted}`) });
    const head = chain.at(-1)!;
    const end = await whileTampered(async (sql) => {
      inserted = await insert(sql, head, BigInt(head.micros) + 1n);
    });
    expect(breakOf(end)).toMatchObject({ entryId: inserted, problem: expect.stringMatching(/balance row holds/) });
  });

  it("catches one entry's hash rewritten consistently with an edit at the entry after it", async () => {
    const chain = await chainOf(db.sql, "AVAILABLE");
    const target = chain[1]!;
    const report = await whileTampered((sql) =>
      sql
        .query("UPDATE ledger_entry SET amount = amount + 1, balance_after = balance_after + 1, hash = decode($2, 'hex') WHERE id = $1", [
          target.id,
          hashOf(target, { amount: BigInt(target.amount) + 1n, balanceAfter: BigInt(target.balance_after!) + 1n }),
        ])
        .then(() => {}),
    );
    expect(breakOf(report)).toMatchObject({ entryId: chain[2]!.id, problem: expect.stringMatching(`does not link to entry ${target.id}`) });
  });
});

describe("checkpoints", () => {
  it("records the changed heads, skips when nothing changed, and chains digests", async () => {
    const first = await checkpointLedger(db);
    const previous = first.written ?? (await db.prisma.ledgerCheckpoint.findFirst({ orderBy: { seq: "desc" } }));
    expect(previous).toBeTruthy();
    expect(await checkpointLedger(db)).toEqual({ skipped: "unchanged" });

    await post(db.sql, scope, [credit(seller, 5n)]);
    const next = await checkpointLedger(db);
    expect(next.written?.seq).toBe(previous!.seq + 1n);
    // The seller's AVAILABLE chain and one clearing slot of the platform moved: two heads.
    expect(next.written?.headCount).toBe(2);
    const heads = await db.prisma.ledgerCheckpointHead.findMany({ where: { checkpointSeq: next.written!.seq } });
    const available = (await chainOf(db.sql, "AVAILABLE")).at(-1)!;
    expect(heads.find((head) => head.ledgerAccountId === available.ledger_account_id)).toMatchObject({
      entryId: BigInt(available.id),
      slot: 0,
    });
    expect(Buffer.from(heads.find((head) => head.ledgerAccountId === available.ledger_account_id)!.hash).toString("hex")).toBe(
      available.hash,
    );
    const report = await verifyLedger(db.sql);
    expect(report.problems).toEqual([]);
    expect(report.checkpointsChecked).toBe(Number(next.written!.seq));
  });

  it("numbers checkpoints past nine in order, and verifies them in that order", async () => {
    // seq leaves the database as text: a query ordering by that alias sorts 10 before 9.
    for (let i = 0; i < 11; i += 1) {
      await post(db.sql, scope, [credit(seller, 1n)]);
      expect((await checkpointLedger(db)).written).toBeDefined();
    }
    const latest = await db.prisma.ledgerCheckpoint.findFirst({ orderBy: { seq: "desc" } });
    expect(latest!.seq).toBeGreaterThanOrEqual(11n);
    await post(db.sql, scope, [credit(seller, 1n)]);
    expect((await checkpointLedger(db)).written?.seq).toBe(latest!.seq + 1n);
    const report = await verifyLedger(db.sql);
    expect(report.problems).toEqual([]);
    expect(report.checkpointsChecked).toBe(Number(latest!.seq) + 1);
  });

  it("writes one checkpoint when two run at once", async () => {
    await post(db.sql, scope, [credit(seller, 6n)]);
    const before = await db.prisma.ledgerCheckpoint.count();
    const outcomes = await Promise.all([checkpointLedger(db), checkpointLedger(db)]);
    expect(outcomes.filter((outcome) => outcome.written)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.skipped)).toHaveLength(1);
    expect(await db.prisma.ledgerCheckpoint.count()).toBe(before + 1);
    expect((await verifyLedger(db.sql)).problems).toEqual([]);
  });

  it("catches a recorded head rewritten consistently, or deleted, with its balance row made to fit", async () => {
    await post(db.sql, scope, [credit(seller, 7n)]);
    expect((await checkpointLedger(db)).written).toBeTruthy();
    const chain = await chainOf(db.sql, "AVAILABLE");
    const head = chain.at(-1)!;
    const rewritten = await whileTampered(async (sql) => {
      await sql.query(
        "UPDATE ledger_entry SET amount = amount + 1, balance_after = balance_after + 1, hash = decode($2, 'hex') WHERE id = $1",
        [head.id, hashOf(head, { amount: BigInt(head.amount) + 1n, balanceAfter: BigInt(head.balance_after!) + 1n })],
      );
      await sql.query("UPDATE ledger_balance SET balance = balance + 1 WHERE ledger_account_id = $1", [head.ledger_account_id]);
    });
    expect(rewritten.chainBreaks).toEqual([]);
    expect(rewritten.problems).toContainEqual(
      expect.stringMatching(
        `recorded entry ${head.id} as the head of ${head.ledger_account_id} slot 0, but that entry's hash is no longer the recorded one`,
      ),
    );
    const deleted = await whileTampered(async (sql) => {
      await sql.query("DELETE FROM ledger_entry WHERE id = $1", [head.id]);
      await sql.query("UPDATE ledger_balance SET balance = balance - $2::numeric WHERE ledger_account_id = $1", [
        head.ledger_account_id,
        head.amount,
      ]);
    });
    expect(deleted.chainBreaks).toEqual([]);
    expect(deleted.problems).toContainEqual(
      expect.stringMatching(`recorded entry ${head.id} as the head .* but that entry no longer exists`),
    );
    // Scoped to the account, the recorded heads are checked too.
    const scoped = await whileTampered((sql) => sql.query("DELETE FROM ledger_entry WHERE id = $1", [head.id]).then(() => {}), {
      accountId: seller,
    });
    expect(scoped.problems).toContainEqual(expect.stringMatching(`recorded entry ${head.id} as the head`));
  });

  it("catches a checkpoint's digest edited, a head's record edited and a checkpoint removed", async () => {
    const latest = (await db.prisma.ledgerCheckpoint.findFirst({ orderBy: { seq: "desc" } }))!;
    const digest = await whileTampered((sql) =>
      sql.query("UPDATE ledger_checkpoint SET digest = sha256(digest) WHERE id = $1", [latest.id]).then(() => {}),
    );
    expect(digest.problems).toEqual([
      expect.stringMatching(`checkpoint ${latest.id} \\(number ${latest.seq}\\): its digest does not match`),
    ]);
    const recorded = await whileTampered((sql) =>
      sql
        .query(
          "UPDATE ledger_checkpoint_head SET hash = sha256(hash) WHERE checkpoint_seq = $1 AND ledger_account_id = (SELECT min(ledger_account_id) FROM ledger_checkpoint_head WHERE checkpoint_seq = $1)",
          [latest.seq.toString()],
        )
        .then(() => {}),
    );
    expect(recorded.problems).toContainEqual(
      expect.stringMatching(`checkpoint ${latest.id} \\(number ${latest.seq}\\): its digest does not match`),
    );
    expect(recorded.problems).toContainEqual(
      expect.stringMatching(`checkpoint ${latest.id} recorded entry .* hash is no longer the recorded one`),
    );
    const removed = await whileTampered(async (sql) => {
      const [second] = await sql.query<{ seq: string }>(
        "SELECT seq::text AS seq FROM ledger_checkpoint ORDER BY ledger_checkpoint.seq LIMIT 1 OFFSET 1",
      );
      await sql.query("DELETE FROM ledger_checkpoint_head WHERE checkpoint_seq = $1", [second!.seq]);
      await sql.query("DELETE FROM ledger_checkpoint WHERE seq = $1", [second!.seq]);
    });
    expect(removed.problems).toContainEqual(expect.stringMatching(/is number 3 but follows number 1: a checkpoint is missing/));
    expect(removed.problems).toContainEqual(expect.stringMatching(/\(number 3\): its digest does not match/));
  });

  it("are written by the balances worker every LEDGER_CHECKPOINT_INTERVAL_MS", async () => {
    const config = testConfig({ LEDGER_CHECKPOINT_INTERVAL_MS: "20" });
    const deps = await createDependencies(db, config, createLogger("silent", "test"));
    const count = () => db.prisma.ledgerCheckpoint.count();
    await post(db.sql, scope, [credit(seller, 8n)]);
    const before = await count();
    const worker = startBalancesWorker(deps, 1_000);
    try {
      const deadline = Date.now() + 30_000;
      while ((await count()) === before) {
        if (Date.now() > deadline) throw new Error("the worker wrote no checkpoint");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await post(db.sql, scope, [credit(seller, 9n)]);
      while ((await count()) === before + 1) {
        if (Date.now() > deadline) throw new Error("the worker wrote no second checkpoint");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await worker.stop();
      await deps.stop();
    }
    expect((await verifyLedger(db.sql)).problems).toEqual([]);
  });
});
