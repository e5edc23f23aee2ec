import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { SqlClient } from "../subgraphs/shared/db/database.ts";
import { testDatabase } from "../test/support/database.ts";
import { verifyLedger } from "../subgraphs/ledger/api.ts";
import { migrate, MigrationError, readMigrations, readRoutines, type Migration, type Routine } from "./migrate.ts";

function migration(name: string, sql: string): Migration {
  return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
}

function routine(sql: string): Routine {
  return { name: "answer.sql", signature: "answer()", sql, checksum: createHash("sha256").update(sql).digest("hex") };
}

/** Runs the migrator against a scratch schema so the real one is untouched. */
async function inScratch<T>(fn: (sql: SqlClient, schema: string) => Promise<T>): Promise<T> {
  const db = await testDatabase();
  return db.session(async (sql) => {
    const schema = `mig_${randomBytes(4).toString("hex")}`;
    await sql.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
    try {
      return await fn(sql, schema);
    } finally {
      await sql.exec(`SET search_path TO public; DROP SCHEMA ${schema} CASCADE`);
    }
  });
}

async function tables(sql: SqlClient, schema: string): Promise<string[]> {
  const rows = await sql.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
    [schema],
  );
  return rows.map((row) => row.table_name);
}

describe("the migrator", () => {
  it("recorded every migration in _prisma_migrations the way Prisma does", async () => {
    const db = await testDatabase();
    const rows = await db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    const files = readMigrations();
    expect(files.length).toBeGreaterThan(0);
    expect(rows.map((row) => [row.migration_name, row.checksum])).toEqual(files.map((file) => [file.name, file.checksum]));
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("applies pending migrations once, in order, and nothing on a second run", async () => {
    await inScratch(async (sql, schema) => {
      const first = migration("20260101000000_a", "CREATE TABLE a (id int PRIMARY KEY);");
      const second = migration("20260102000000_b", "CREATE TABLE b (id int REFERENCES a(id));");
      expect(await migrate(sql, [first, second], [])).toEqual([first.name, second.name]);
      expect(await migrate(sql, [first, second], [])).toEqual([]);
      expect(await tables(sql, schema)).toEqual(["_prisma_migrations", "a", "b"]);
    });
  });

  it("leaves no trace of a failing migration and stops there", async () => {
    await inScratch(async (sql, schema) => {
      const good = migration("20260101000000_good", "CREATE TABLE good (id int);");
      const bad = migration("20260102000000_bad", "CREATE TABLE half (id int); SELECT * FROM missing_table;");
      const later = migration("20260103000000_later", "CREATE TABLE later (id int);");
      await expect(migrate(sql, [good, bad, later])).rejects.toThrowError(MigrationError);
      expect(await tables(sql, schema)).toEqual(["_prisma_migrations", "good"]);
      const recorded = await sql.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`);
      expect(recorded.map((row) => row.migration_name)).toEqual([good.name]);
    });
  });

  it("refuses a migration edited after it was applied", async () => {
    await inScratch(async (sql) => {
      await migrate(sql, [migration("20260101000000_a", "CREATE TABLE a (id int);")]);
      await expect(migrate(sql, [migration("20260101000000_a", "CREATE TABLE a (id bigint);")])).rejects.toThrowError(
        /edited after it was applied/,
      );
    });
  });

  it("applies a routine's file once, and again whenever its text changes", async () => {
    await inScratch(async (sql) => {
      const answer = async () => (await sql.query<{ answer: number }>("SELECT answer() AS answer"))[0]?.answer;
      const first = routine("CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 41 $$;");
      expect(await migrate(sql, [], [first])).toEqual(["answer.sql"]);
      expect(await migrate(sql, [], [first])).toEqual([]);
      expect(await answer()).toBe(41);
      const edited = routine("CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;");
      expect(await migrate(sql, [], [edited])).toEqual(["answer.sql"]);
      expect(await answer()).toBe(42);
    });
  });

  it("chains the entries written before the ledger had chains, in the order they were applied", async () => {
    await inScratch(async (sql) => {
      const migrations = readMigrations();
      await migrate(
        sql,
        migrations.filter((m) => m.name < "20261130220000"),
        [],
      );
      const tenant = "acct_backfill";
      const posting = (n: number, amount: number) => ({
        transactions: [{ id: `ltx_b${n}`, tenant_id: tenant, livemode: false, kind: "TEST" }],
        balance_transactions: [],
        entries: [
          {
            transaction_id: `ltx_b${n}`,
            tenant_id: tenant,
            livemode: false,
            account_id: tenant,
            currency: "USD",
            kind: "TOPUP_CLEARING",
            amount: String(-amount),
            posting: 0,
          },
          {
            transaction_id: `ltx_b${n}`,
            tenant_id: tenant,
            livemode: false,
            account_id: tenant,
            currency: "USD",
            kind: "AVAILABLE",
            amount: String(amount),
            posting: 0,
          },
        ],
        events: [],
      });
      for (const n of [1, 2, 3, 4]) await sql.query("SELECT ledger_post($1::jsonb)", [JSON.stringify(posting(n, n * 10))]);
      // Before the chains an entry's time was its transaction's start: a posting that waited for
      // the balance's lock carries an earlier time than the one applied before it.
      await sql.query("UPDATE ledger_entry SET created_at = created_at - interval '5 seconds' WHERE transaction_id = 'ltx_b3'");

      await migrate(sql, migrations, readRoutines());
      const available = await sql.query<{ transaction_id: string; balance_after: string }>(
        `SELECT le.transaction_id, le.balance_after::text AS balance_after FROM ledger_entry le
           JOIN ledger_account la ON la.id = le.ledger_account_id
          WHERE la.kind = 'AVAILABLE' ORDER BY le.created_at, le.id`,
      );
      expect(available).toEqual([
        { transaction_id: "ltx_b1", balance_after: "10" },
        { transaction_id: "ltx_b2", balance_after: "30" },
        { transaction_id: "ltx_b3", balance_after: "60" },
        { transaction_id: "ltx_b4", balance_after: "100" },
      ]);
      expect((await verifyLedger(sql)).problems).toEqual([]);
      // The chains go on from the backfilled heads.
      await sql.query("SELECT ledger_post($1::jsonb)", [JSON.stringify(posting(5, 7))]);
      expect((await verifyLedger(sql)).problems).toEqual([]);
    });
  });

  it("has applied the checked-in ledger_post to the database", async () => {
    const db = await testDatabase();
    const [ledgerPost] = readRoutines();
    const [row] = await db.sql.query<{ checksum: string | null }>(
      `SELECT obj_description('ledger_post(jsonb)'::regprocedure, 'pg_proc') AS checksum`,
    );
    expect(row?.checksum).toBe(ledgerPost?.checksum);
  });
});
