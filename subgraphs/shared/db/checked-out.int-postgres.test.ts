// A connection terminated while checked out of the pool (a database restart mid-transaction)
// fails the work in flight and nothing else: the process stays up and the pool carries on with
// fresh connections. Postgres only: PGlite has no connection to lose.

import { afterAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "./database.ts";

const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
});

const idleSince = (pid: number) => ({ text: "SELECT state FROM pg_stat_activity WHERE pid = $1", params: [pid] });

describe("a pooled connection lost while checked out", () => {
  it("fails its transaction or session with an error, never an unhandled 'error' event, and the pool recovers", async () => {
    const db = await openDatabase({ url: inject("databaseUrl"), poolSize: 2 });
    opened.push(db);
    const outside = await openDatabase({ url: inject("databaseUrl"), poolSize: 1 });
    opened.push(outside);

    for (const run of [db.transaction.bind(db), db.session.bind(db)]) {
      const outcome = run(async (sql) => {
        const [me] = await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        // Killed between two statements, while this client sits checked out and idle: the
        // connection's 'error' event fires with no query to fail.
        const pid = me!.pid;
        const { text, params } = idleSince(pid);
        for (let i = 0; i < 500; i++) {
          const [row] = await outside.sql.query<{ state: string }>(text, params);
          if (row?.state?.startsWith("idle")) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await outside.sql.query("SELECT pg_terminate_backend($1)", [pid]);
        for (let i = 0; i < 500; i++) {
          const [row] = await outside.sql.query(text, params);
          if (!row) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        return sql.query("SELECT 1 AS one");
      });
      await expect(outcome).rejects.toThrow();
    }
    // Both pool slots were dropped, not returned broken: the next work runs on fresh connections.
    expect(await db.transaction((sql) => sql.query<{ one: number }>("SELECT 1 AS one"))).toEqual([{ one: 1 }]);
    expect(await db.session((sql) => sql.query<{ one: number }>("SELECT 1 AS one"))).toEqual([{ one: 1 }]);
    expect(await db.sql.query<{ one: number }>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });
});
