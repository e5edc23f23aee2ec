// A transaction's last statements handed to commitAfter (SqlClient): they run before COMMIT, in
// the order issued, and if one fails nothing of the transaction commits and the transaction
// throws that statement's error; the caller never awaited them. On PGlite and on Postgres alike.

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase } from "../../../test/support/database.ts";
import type { Database } from "./database.ts";

describe("commitAfter", () => {
  let db: Database;
  const table = `commit_after_${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    db = await testDatabase();
    await db.sql.query(`CREATE TABLE ${table} (n int PRIMARY KEY)`);
  });
  afterAll(async () => {
    await db.sql.query(`DROP TABLE IF EXISTS ${table}`);
  });
  const rows = async () => (await db.sql.query<{ n: number }>(`SELECT n FROM ${table} ORDER BY n`)).map((row) => row.n);

  it("commits the statements it was handed, run in the order issued", async () => {
    const answer = await db.transaction(async (sql) => {
      await sql.query(`INSERT INTO ${table} (n) VALUES (1)`);
      sql.commitAfter!(
        Promise.all([
          sql.query(`INSERT INTO ${table} (n) SELECT max(n) + 1 FROM ${table}`),
          sql.query(`INSERT INTO ${table} (n) SELECT max(n) + 1 FROM ${table}`),
        ]),
      );
      return "returned before they answered";
    });
    expect(answer).toBe("returned before they answered");
    expect(await rows()).toEqual([1, 2, 3]);
  });

  it("commits nothing when one of them fails, and throws its error", async () => {
    const outcome = db.transaction(async (sql) => {
      await sql.query(`INSERT INTO ${table} (n) VALUES (10)`);
      sql.commitAfter!(Promise.all([sql.query(`INSERT INTO ${table} (n) VALUES (11)`), sql.query(`INSERT INTO ${table} (n) VALUES (1)`)]));
    });
    // The duplicate key, not a rolled-back COMMIT's.
    await expect(outcome).rejects.toMatchObject({ code: "23505" });
    expect(await rows()).toEqual([1, 2, 3]);
    // And the next transaction starts clean.
    await db.transaction(async (sql) => sql.commitAfter!(sql.query(`INSERT INTO ${table} (n) VALUES (12)`)));
    expect(await rows()).toEqual([1, 2, 3, 12]);
  });
});
