// Production shape: each subgraph and the gateway in its own process, sharing Postgres and the
// gateway secret. Runs when the suite runs against Postgres (DATABASE_URL).

import { randomBytes } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { spawnEntry, stopSpawned, type Spawned, viewerThrough } from "./support/processes.ts";

afterEach(stopSpawned);

const running: Spawned[] = [];
afterAll(async () => {
  await Promise.all(running.map((process) => process.stop("SIGTERM")));
});

describe("separate processes", () => {
  it("serves the same API with four subgraph processes and a gateway process", async () => {
    const adminKey = `admin_${randomBytes(16).toString("hex")}`;
    const env = {
      DATABASE_URL: inject("databaseUrl"),
      GATEWAY_SECRET: randomBytes(32).toString("hex"),
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: "info",
      // Port 0 everywhere: each process reports where it listens, and the gateway is told.
      ACCOUNTS_PORT: "0",
      BALANCES_PORT: "0",
      PAYOUTS_PORT: "0",
      CRYPTO_PORT: "0",
    };
    const urls: Record<string, string> = {};
    for (const name of SUBGRAPH_NAMES) running.push(spawnEntry("cmd/subgraph.ts", [name], env));
    await Promise.all(
      running.map(async (process, i) => {
        const [, url] = await process.waitFor(/"url":"(http:\/\/[^"]+)"[^\n]*subgraph listening/);
        urls[`${SUBGRAPH_NAMES[i]!.toUpperCase()}_URL`] = url!;
      }),
    );

    const gateway = spawnEntry("cmd/gateway.ts", [], { ...env, ...urls, PORT: "0" });
    running.push(gateway);
    const [, gatewayPortText] = await gateway.waitFor(/"url":"http:\/\/localhost:(\d+)\/graphql"[^\n]*gateway listening/);
    const gatewayPort = Number(gatewayPortText);

    const created = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({
        query:
          'mutation { createPlatform(input: { displayName: "Split", country: "GB", defaultCurrency: "GBP" }, idempotencyKey: "split-processes") { secretKey account { id } } }',
      }),
    }).then((response) => response.json() as Promise<{ data: { createPlatform: { secretKey: string; account: { id: string } } } }>);
    const { secretKey, account } = created.data.createPlatform;
    expect(await viewerThrough(gatewayPort, secretKey)).toEqual({
      data: { viewer: { id: account.id, displayName: "Split", type: "PLATFORM", balances: [] } },
    });

    const ready = await fetch(`http://127.0.0.1:${gatewayPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: "ready",
      subgraphs: { accounts: "ready", balances: "ready", payouts: "ready", crypto: "ready" },
    });

    // One subgraph down: the gateway stays in rotation (its replicas all share that subgraph),
    // says which one is missing, serves what the others answer, and refuses the rest retryably.
    const crypto = running[SUBGRAPH_NAMES.indexOf("crypto")]!;
    expect(await crypto.stop("SIGTERM")).toBe(0);
    const degraded = await fetch(`http://127.0.0.1:${gatewayPort}/readyz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toEqual({
      status: "degraded",
      supergraph: "loaded",
      subgraphs: { accounts: "ready", balances: "ready", payouts: "ready", crypto: "unreachable" },
    });
    expect(await viewerThrough(gatewayPort, secretKey)).toEqual({
      data: { viewer: { id: account.id, displayName: "Split", type: "PLATFORM", balances: [] } },
    });
    const assets = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secretKey}` },
      body: JSON.stringify({ query: "{ cryptoAssets { asset network } }" }),
    });
    const refused = (await assets.json()) as { data?: unknown; errors?: { extensions?: { code?: string; retryable?: boolean } }[] };
    expect(assets.status, JSON.stringify(refused)).toBe(503);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true });

    for (const process of running) if (process !== crypto) expect(await process.stop("SIGTERM")).toBe(0);
  }, 600_000);
});
