// A connection terminated while checked out of the pool (a database restart mid-transaction),
// or while the pool hands it from one owner to the next, fails the work in flight and nothing
// else: the process stays up and the pool carries on with fresh connections. Postgres only:
// PGlite has no connection to lose.

import net from "node:net";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "./database.ts";

const opened: Database[] = [];
const proxies: net.Server[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  for (const proxy of proxies) proxy.close();
});

/** Postgres's ErrorResponse for a terminated backend (pg_terminate_backend, a restart). */
function terminatedMessage(): Buffer {
  const fields = Buffer.from("SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0");
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/**
 * A TCP proxy to the test's Postgres that, once armed, ends the next query's answer as a backend
 * terminated right after it does: its ReadyForQuery and the FATAL in one packet, then the end.
 */
async function cuttingProxy(): Promise<{ url: string; arm(): void }> {
  const target = new URL(inject("databaseUrl")!);
  let armed = false;
  const server = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(server);
    client.on("error", () => server.destroy());
    server.on("error", () => client.destroy());
    let pending = Buffer.alloc(0);
    server.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let end = 0;
      // Whole messages only: type (1 byte), length (4, itself included), body.
      while (pending.length - end >= 5 && pending.length - end >= 1 + pending.readInt32BE(end + 1)) {
        const type = String.fromCharCode(pending[end]!);
        end += 1 + pending.readInt32BE(end + 1);
        if (armed && type === "Z") {
          armed = false;
          client.end(Buffer.concat([pending.subarray(0, end), terminatedMessage()]));
          server.destroy();
          return;
        }
      }
      client.write(pending.subarray(0, end));
      pending = pending.subarray(end);
    });
  });
  proxies.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { url: url.toString(), arm: () => (armed = true) };
}

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

  it("lost in the hand-off from a finished query to a waiting transaction: that transaction fails, the process stays up", async () => {
    const proxy = await cuttingProxy();
    const db = await openDatabase({ url: proxy.url, poolSize: 1 });
    opened.push(db);
    expect(await db.sql.query<{ one: number }>("SELECT 1 AS one")).toEqual([{ one: 1 }]);

    // One connection: the transaction waits for the query's. The query gets its answer, the
    // connection goes to the transaction, and the FATAL that came with the answer hits it there.
    proxy.arm();
    const query = db.sql.query<{ one: number }>("SELECT 1 AS one");
    const waiting = db.transaction((sql) => sql.query("SELECT 2 AS two"));
    expect(await query).toEqual([{ one: 1 }]);
    await expect(waiting).rejects.toThrow(/connection error|terminat/i);
    // A fresh connection for what comes next.
    expect(await db.transaction((sql) => sql.query<{ two: number }>("SELECT 2 AS two"))).toEqual([{ two: 2 }]);
  });
});
