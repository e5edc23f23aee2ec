// Every process rides out a database restart: the four subgraph processes and the worker, on a
// database of their own, while every backend of it is terminated (mid-LISTEN, mid-worker-step,
// mid-query) and new connections are refused for a while. Each stays up, reports not-ready while
// the database is gone, is ready again within seconds of its return, and carries on working.

import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTopup } from "../subgraphs/balances/service/create-topup.ts";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { createDependencies } from "../subgraphs/dependencies.ts";
import type { Database } from "../subgraphs/shared/db/database.ts";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { insertPlatform } from "./support/deps.ts";
import { testConfig } from "./support/platform.ts";
import { openPrivateDatabase, type PrivateDatabase } from "./support/private-database.ts";
import { spawnEntry, stopSpawned, type Spawned } from "./support/processes.ts";

afterEach(stopSpawned);

let database: PrivateDatabase;
let databaseUrl: string;
let db: Database;

beforeAll(async () => {
  database = await openPrivateDatabase("moneygraph_restart", 2);
  databaseUrl = database.url;
  db = database.db;
});

afterAll(async () => {
  await database?.close();
});

async function readiness(url: string): Promise<number> {
  return fetch(url.replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(5_000) })
    .then((response) => response.status)
    .catch(() => 0);
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

describe("a database restart under running processes", () => {
  it("leaves every process up, not ready while the database is gone, ready again and working once it is back", async () => {
    const env = {
      DATABASE_URL: databaseUrl,
      GATEWAY_SECRET: randomBytes(32).toString("hex"),
      LOG_LEVEL: "info",
      ACCOUNTS_PORT: "0",
      BALANCES_PORT: "0",
      PAYOUTS_PORT: "0",
      CRYPTO_PORT: "0",
      SETTLEMENT_DELAY_MS: "500",
      PAYOUT_STEP_MS: "0",
    };
    const subgraphs: { name: string; process: Spawned; url: string }[] = [];
    for (const subgraph of SUBGRAPH_NAMES) {
      const process = spawnEntry("cmd/subgraph.ts", [subgraph], env);
      const [, url] = await process.waitFor(/"url":"(http:\/\/[^"]+)"[^\n]*subgraph listening/);
      subgraphs.push({ name: subgraph, process, url: url! });
    }
    const worker = spawnEntry("cmd/worker.ts", [], env);
    await worker.waitFor(/worker started/);
    const urls = Object.fromEntries(subgraphs.map((s) => [`${s.name.toUpperCase()}_URL`, s.url]));
    const adminKey = `admin_${randomBytes(16).toString("hex")}`;
    const gateway = spawnEntry("cmd/gateway.ts", [], { ...env, ...urls, ADMIN_API_KEY: adminKey, PORT: "0" });
    const [, gatewayUrl] = await gateway.waitFor(/"url":"(http:\/\/localhost:\d+\/graphql)"[^\n]*gateway listening/);
    const everyone = [...subgraphs.map((s) => s.process), worker, gateway];
    const graphql = async (key: string, query: string, variables: Record<string, unknown> = {}) =>
      fetch(gatewayUrl!, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      })
        .then((response) => response.json() as Promise<{ data?: unknown; errors?: unknown[] }>)
        .catch((): { data?: unknown; errors?: unknown[] } => ({ errors: ["unreachable"] }));
    const allReady = async () => (await Promise.all(subgraphs.map((s) => readiness(s.url)))).every((status) => status === 200);
    await until(allReady, "every subgraph ready");

    // Work for the worker across the outage: a top-up that falls due while the database is away.
    const config = testConfig({ SETTLEMENT_DELAY_MS: "500" });
    const deps = createDependencies(db, config, createLogger("silent", "test"));
    const principal = await insertPlatform(deps);

    const created = await graphql(
      adminKey,
      `
        mutation {
          createPlatform(input: { displayName: "Restart", country: "US", defaultCurrency: "USD" }) {
            secretKey
            account {
              id
            }
          }
        }
      `,
    );
    const { secretKey, account } = (created.data as { createPlatform: { secretKey: string; account: { id: string } } }).createPlatform;
    // Traffic while the database goes away: transactions in flight on checked-out connections.
    let traffic = true;
    const load = Promise.all(
      Array.from({ length: 6 }, async () => {
        while (traffic) {
          await graphql(
            secretKey,
            `mutation($key: String!) { createTopup(input: { accountId: "${account.id}", amount: "1", currency: "USD" }, idempotencyKey: $key) { id } }`,
            { key: randomUUID() },
          );
        }
      }),
    );

    for (let round = 0; round < 3; round++) {
      // The test's own pool may hand out a connection the last outage cut: retry, as a client would.
      const key = randomUUID();
      let topup: Awaited<ReturnType<typeof createTopup>> | undefined;
      await until(async () => {
        topup = await createTopup(deps, principal, { accountId: principal.tenantId, amount: 100n, currency: "USD" as never }, key).catch(
          () => undefined,
        );
        return topup !== undefined;
      }, "a top-up to be created");
      // Gone: no new connections, and every open one (LISTEN, pools, the worker's) cut.
      await database.takeDown();
      await until(
        async () => (await Promise.all(subgraphs.map((s) => readiness(s.url)))).every((status) => status === 503),
        "every subgraph not ready",
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // the workers' polls fail meanwhile
      for (const process of everyone) expect(process.child.exitCode, process.output()).toBeNull();

      // Back: ready again by themselves, and working (the worker settles the top-up).
      await database.bringBack();
      await until(allReady, "every subgraph ready again");
      await until(async () => {
        const [row] = await db.sql
          .query<{ status: string }>("SELECT status::text AS status FROM topup WHERE id = $1", [topup!.id])
          .catch(() => []);
        return row?.status === "SUCCEEDED";
      }, "the worker to settle the top-up after the outage");
      for (const process of everyone) expect(process.child.exitCode, process.output()).toBeNull();
    }
    traffic = false;
    await load;
    // And the API answers again end to end. The traffic above may have spent this second's
    // rate limit (100 a second per platform): a client told RATE_LIMITED asks again.
    let viewer: Awaited<ReturnType<typeof graphql>> = {};
    await until(async () => {
      viewer = await graphql(secretKey, "{ viewer { id balances { currency } } }");
      return !(viewer.errors as { extensions?: { code?: string } }[] | undefined)?.some(
        (error) => error.extensions?.code === "RATE_LIMITED",
      );
    }, "the rate limit to let the platform in again");
    expect(viewer.errors).toBeUndefined();
    for (const process of everyone) expect(await process.stop("SIGTERM")).toBe(0);
  }, 600_000);
});
