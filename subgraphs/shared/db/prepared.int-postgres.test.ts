// Statements with parameters go to Postgres as named prepared statements (prepared.ts): each
// connection parses one once, a migration that changes what one returns costs a retry and not an
// error, and a pipelined transaction that fails leaves no connection believing in a statement
// Postgres never prepared. Postgres only: PGlite has no protocol-level statements.

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "./database.ts";
import { inTransaction } from "./transaction.ts";

const preparedOf = (db: Database) =>
  db.session((sql) => sql.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements"));

describe("named prepared statements on Postgres", () => {
  let db: Database;
  let unprepared: Database;
  const table = `prepared_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    // One connection each: what one statement prepared, the next finds.
    db = await openDatabase({ url: inject("databaseUrl"), poolSize: 1 });
    unprepared = await openDatabase({ url: inject("databaseUrl"), poolSize: 1, preparedStatements: false });
    await db.sql.exec(`CREATE TABLE ${table} (id int PRIMARY KEY, v int NOT NULL)`);
    await db.sql.exec(`INSERT INTO ${table} VALUES (1, 10), (2, 20)`);
  });

  afterAll(async () => {
    await db?.sql.exec(`DROP TABLE IF EXISTS ${table}`);
    await db?.close();
    await unprepared?.close();
  });

  it("prepares a statement with parameters once per connection, and no statement without", async () => {
    const text = `SELECT v FROM ${table} WHERE id = $1`;
    for (let i = 0; i < 3; i++) expect(await db.sql.query(text, [1])).toEqual([{ v: 10 }]);
    await db.sql.query(`SELECT count(*) FROM ${table}`);
    const prepared = (await preparedOf(db)).filter((row) => row.statement.includes(table));
    expect(prepared).toEqual([{ name: expect.stringMatching(/^mg_[0-9a-f]{24}$/), statement: text }]);
  });

  it("sends every statement unnamed with DATABASE_PREPARED_STATEMENTS=false", async () => {
    expect(await unprepared.sql.query(`SELECT v FROM ${table} WHERE id = $1`, [2])).toEqual([{ v: 20 }]);
    expect(await preparedOf(unprepared)).toEqual([]);
  });

  it("runs a statement again when a migration changed what it returns, outside a transaction and inside", async () => {
    const text = `SELECT v, id FROM ${table} WHERE id = $1`;
    const inside = `SELECT v AS inside FROM ${table} WHERE id = $1`;
    expect(await db.sql.query(text, [1])).toEqual([{ v: 10, id: 1 }]);
    expect(await inTransaction(db, (sql) => sql.query(inside, [2]))).toEqual([{ inside: 20 }]);
    // A migration elsewhere: the prepared statements' result type changes (int → text).
    const other = await openDatabase({ url: inject("databaseUrl"), poolSize: 1 });
    try {
      await other.sql.exec(`ALTER TABLE ${table} ALTER COLUMN v TYPE text`);
    } finally {
      await other.close();
    }
    try {
      expect(await db.sql.query(text, [1])).toEqual([{ v: "10", id: 1 }]);
      expect(await inTransaction(db, (sql) => sql.query(inside, [2]))).toEqual([{ inside: "20" }]);
    } finally {
      await db.sql.exec(`ALTER TABLE ${table} ALTER COLUMN v TYPE int USING v::int`);
    }
  });

  it("prepares a statement again after a transaction failed before Postgres prepared it", async () => {
    const text = `SELECT v + $1::int AS w FROM ${table} WHERE id = 1`;
    await expect(
      db.transaction(async (sql) => {
        // Issued together: the first fails, so Postgres refuses the second's Parse (the
        // transaction is aborted), while the driver had it down as submitted.
        const failing = sql.query("SELECT 1 / $1::int", [0]);
        const next = sql.query(text, [1]);
        await Promise.allSettled([failing, next]);
        await failing;
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await db.sql.query(text, [1])).toEqual([{ w: 11 }]);
    expect((await preparedOf(db)).some((row) => row.statement === text)).toBe(true);
  });
});
