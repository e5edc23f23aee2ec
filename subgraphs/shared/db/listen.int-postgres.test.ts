// LISTEN on Postgres survives its connection: a server restart or a killed backend ends the
// listening session; the listener reconnects, says so (onReconnect: re-read what you may have
// missed) and hears the next notifications. Postgres only: PGlite has no connection to lose.

import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { openDatabase, type Database } from "./database.ts";

const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("db.listen on Postgres", () => {
  it("reconnects after its connection is killed, tells the caller, and keeps hearing notifications", async () => {
    const db = await openDatabase({ url: inject("databaseUrl"), poolSize: 2 });
    opened.push(db);
    const channel = `reconnect_${Date.now()}`;
    const heard: string[] = [];
    let reconnects = 0;
    const unlisten = await db.listen(
      channel,
      (payload) => heard.push(payload),
      () => (reconnects += 1),
    );

    await db.sql.query(`SELECT pg_notify($1, 'before')`, [channel]);
    await until(() => heard.includes("before"), "the first notification");

    const [killed] = await db.sql.query<{ count: string }>(
      `SELECT count(pg_terminate_backend(pid))::text AS count FROM pg_stat_activity
        WHERE datname = current_database() AND query = $1`,
      [`LISTEN ${channel}`],
    );
    expect(killed?.count).toBe("1");
    await until(() => reconnects === 1, "the listener to reconnect");

    await db.sql.query(`SELECT pg_notify($1, 'after')`, [channel]);
    await until(() => heard.includes("after"), "a notification after reconnecting");
    expect(heard).toEqual(["before", "after"]);
    await unlisten();
  });
});
