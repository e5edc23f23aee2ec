// A transaction's statements issued together go to Postgres together (SqlClient.query: the
// driver's pipeline mode), still run in the order issued, and the first to fail is the one the
// caller sees, with nothing committed; a transfer's batch costs two round trips. Counted on the
// wire: a proxy between the pool and Postgres holds each answer back a moment and counts the
// client's turns to speak. Postgres only: PGlite has no wire.

import { randomBytes } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { testConfig } from "../../../test/support/platform.ts";
import { createTopup, createTransfer } from "../../balances/api.ts";
import { createDependencies } from "../../dependencies.ts";
import { createLogger } from "../logger.ts";
import { parseCurrency } from "../money/currency.ts";
import { openDatabase, type Database } from "./database.ts";

/** A TCP proxy to the test's Postgres that delays every answer by `delayMs` and counts the client's turns. */
async function countingProxy(delayMs: number): Promise<{ url: string; turns(): number; reset(): void; close(): void }> {
  const target = new URL(inject("databaseUrl")!);
  let turns = 0;
  let clientSpoke = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.on("data", (chunk: Buffer) => {
      // A turn: the client writes after the server last answered (or for the first time).
      if (!clientSpoke) turns += 1;
      clientSpoke = true;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      setTimeout(() => {
        clientSpoke = false;
        client.write(chunk);
      }, delayMs);
    });
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    turns: () => turns,
    reset: () => {
      turns = 0;
      clientSpoke = false;
    },
    close: () => server.close(),
  };
}

describe("statements issued together in a Postgres transaction", () => {
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let db: Database;
  const table = `pipeline_probe_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    proxy = await countingProxy(25);
    // One connection, so every statement below shares it (and its handshake is done before counting).
    db = await openDatabase({ url: proxy.url, poolSize: 1 });
    await db.sql.query(`CREATE TABLE ${table} (n int PRIMARY KEY)`);
  });
  afterAll(async () => {
    await db?.sql.query(`DROP TABLE IF EXISTS ${table}`);
    await db?.close();
    proxy?.close();
  });

  it("go in one round trip with BEGIN, in the order issued", async () => {
    proxy.reset();
    const seen = await db.transaction(async (sql) => {
      const [, , rows] = await Promise.all([
        sql.query(`INSERT INTO ${table} (n) VALUES (1)`),
        sql.query(`INSERT INTO ${table} (n) VALUES (2)`),
        sql.query<{ n: number }>(`SELECT n FROM ${table} ORDER BY n`),
      ]);
      return rows.map((row) => row.n);
    });
    expect(seen).toEqual([1, 2]);
    // BEGIN and the three statements, then COMMIT: two turns (one each, awaited, would be five).
    expect(proxy.turns()).toBe(2);
    await db.sql.query(`DELETE FROM ${table}`);
  });

  it("handed to commitAfter, go with BEGIN and COMMIT: one round trip for the whole transaction", async () => {
    proxy.reset();
    await db.transaction(async (sql) => {
      sql.commitAfter!(Promise.all([sql.query(`INSERT INTO ${table} (n) VALUES (3)`), sql.query(`INSERT INTO ${table} (n) VALUES (4)`)]));
    });
    expect(proxy.turns()).toBe(1);
    expect(await db.sql.query<{ n: number }>(`SELECT n FROM ${table} ORDER BY n`)).toEqual([{ n: 3 }, { n: 4 }]);
    await db.sql.query(`DELETE FROM ${table}`);
  });

  it("fail from the first that fails, and commit nothing", async () => {
    const outcome = db.transaction(async (sql) => {
      await Promise.all([
        sql.query(`INSERT INTO ${table} (n) VALUES (10)`),
        sql.query(`SELECT 1 / 0 AS broken`),
        sql.query(`INSERT INTO ${table} (n) VALUES (11)`),
      ]);
    });
    // Division by zero, not the "transaction is aborted" of the statement after it.
    await expect(outcome).rejects.toMatchObject({ code: "22012" });
    expect(await db.sql.query(`SELECT n FROM ${table}`)).toEqual([]);
    // The connection is clean for the next transaction.
    await db.transaction((sql) => sql.query(`INSERT INTO ${table} (n) VALUES (12)`));
    expect(await db.sql.query<{ n: number }>(`SELECT n FROM ${table}`)).toEqual([{ n: 12 }]);
  });
});

describe("a transfer's group commit", () => {
  it("is two round trips: BEGIN with its reads and locks, then its writes with COMMIT", async () => {
    const proxy = await countingProxy(25);
    const db = await openDatabase({ url: proxy.url, poolSize: 1 });
    const config = testConfig();
    const deps = createDependencies(db, config, createLogger(config.LOG_LEVEL, "test"));
    try {
      const setup = await testDeps();
      const principal = await insertPlatform(setup);
      const destination = await insertConnectedAccount({ tenantId: principal.tenantId });
      const usd = parseCurrency("USD")!;
      await createTopup(setup, principal, { accountId: principal.tenantId, amount: 100n, currency: usd }, randomBytes(8).toString("hex"));
      await db.sql.query("SELECT 1"); // the pool's one connection, opened before counting

      proxy.reset();
      await createTransfer(
        deps,
        principal,
        { destinationAccountId: destination, amount: 1n, currency: usd },
        randomBytes(8).toString("hex"),
      );
      // Two, and a third when the balance event's NOTIFY (sent after the commit, on the same
      // single connection) went out before the transfer's caller heard back. One statement per
      // round trip was seven.
      expect(proxy.turns()).toBeGreaterThanOrEqual(2);
      expect(proxy.turns()).toBeLessThanOrEqual(3);
    } finally {
      await deps.stop();
      await db.close();
      proxy.close();
    }
  });
});
