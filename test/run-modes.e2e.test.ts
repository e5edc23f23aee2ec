// The run modes as a person uses them: real processes started the way the npm scripts start
// them, stopped with Ctrl-C.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { isRunning, spawnEntry, stopSpawned, viewerThrough } from "./support/processes.ts";

const dataDir = mkdtempSync(join(tmpdir(), "moneygraph-run-"));
afterEach(stopSpawned);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("processes a test starts", () => {
  let leftRunning: number | undefined;

  it("may be left running by a test that ends early (failed, timed out)", async () => {
    const sleeper = spawnEntry("test/support/sleeper.ts", [], {});
    await sleeper.waitFor(/ready/);
    leftRunning = sleeper.child.pid;
    expect(isRunning(leftRunning!)).toBe(true);
  });

  it("are stopped after that test, whatever its outcome", () => {
    expect(leftRunning).toBeDefined();
    expect(isRunning(leftRunning!)).toBe(false);
  });

  // vitest ends its workers with SIGTERM, which runs no exit handler: what a worker started
  // must stop by itself once the worker is gone (and once a process is SIGKILLed, too).
  it.each(["SIGTERM", "SIGKILL"] as const)("stop by themselves when the process that started them dies of %s", async (signal) => {
    const spawner = spawnEntry("test/support/spawner.ts", [], {});
    const sleeper = Number((await spawner.waitFor(/sleeper (\d+)/))[1]);
    try {
      expect(isRunning(sleeper)).toBe(true);
      await spawner.stop(signal);
      const deadline = Date.now() + 30_000;
      while (isRunning(sleeper) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(isRunning(sleeper), `the sleeper (pid ${sleeper}) outlived its parent`).toBe(false);
    } finally {
      if (isRunning(sleeper)) process.kill(sleeper, "SIGKILL");
    }
  });
});

describe("npm start (all-in-one)", () => {
  it("migrates, seeds a demo platform, serves it, stops cleanly on Ctrl-C and keeps its data", async () => {
    const databaseUrl = inject("databaseUrl");
    // PORT=0: the system picks a free port and the banner tells which (no race for a port).
    const env = { PORT: "0", DATA_DIR: dataDir, DATABASE_URL: databaseUrl };

    const first = spawnEntry("cmd/all-in-one.ts", [], env);
    const [, key] = await first.waitFor(/Demo secret key\s+(sk_test_\w+)/);
    const port = Number((await first.waitFor(/Explorer\s+http:\/\/localhost:(\d+)\/graphql/))[1]);
    expect(first.output()).toContain("(new demo platform)");
    expect(first.output()).toContain(`http://localhost:${port}/graphql`);
    expect(first.output()).toContain(`curl -s http://localhost:${port}/graphql`);
    const viewer = (await viewerThrough(port, key!)) as { data: { viewer: { displayName: string; type: string; balances: unknown[] } } };
    // The demo platform starts with a $10,000.00 top-up (pending until it settles).
    expect(viewer.data.viewer).toMatchObject({
      displayName: "Demo Platform",
      type: "PLATFORM",
      balances: [{ currency: "USD", available: { amount: expect.stringMatching(/^(0|1000000)$/) } }],
    });
    expect(await first.stop("SIGINT")).toBe(0);

    // A clean stop left a usable database: the second start finds the same platform and key.
    const second = spawnEntry("cmd/all-in-one.ts", [], env);
    const [, keyAgain] = await second.waitFor(/Demo secret key\s+(sk_test_\w+)/);
    const portAgain = Number((await second.waitFor(/Explorer\s+http:\/\/localhost:(\d+)\/graphql/))[1]);
    expect(keyAgain).toBe(key);
    expect(second.output()).not.toContain("(new demo platform)");
    // Same platform, same money, no second seed: settled by now or soon, never doubled.
    const again = (await viewerThrough(portAgain, key!)) as typeof viewer;
    expect(again.data.viewer.displayName).toBe("Demo Platform");
    expect(again.data.viewer.balances).toEqual([{ currency: "USD", available: { amount: expect.stringMatching(/^(0|1000000)$/) } }]);
    expect(await second.stop("SIGTERM")).toBe(0);
  }, 600_000);
});

describe("configuration is checked at start-up", () => {
  it("refuses to start a lone subgraph without DATABASE_URL, saying why", async () => {
    const subgraph = spawnEntry("cmd/subgraph.ts", ["balances"], { GATEWAY_SECRET: "x".repeat(40) });
    expect(await subgraph.exit()).toBe(78);
    expect(subgraph.output()).toMatch(/DATABASE_URL: required to run a subgraph on its own/);
  });

  it("refuses to start the gateway alone without a shared GATEWAY_SECRET", async () => {
    const gateway = spawnEntry("cmd/gateway.ts", [], {});
    expect(await gateway.exit()).toBe(78);
    expect(gateway.output()).toMatch(/GATEWAY_SECRET: required/);
  });

  it("names a malformed variable", async () => {
    const gateway = spawnEntry("cmd/gateway.ts", [], { GATEWAY_SECRET: "x".repeat(40), PORT: "http" });
    expect(await gateway.exit()).toBe(78);
    expect(gateway.output()).toMatch(/PORT: /);
  });

  it("rejects an unknown subgraph name with usage", async () => {
    const subgraph = spawnEntry("cmd/subgraph.ts", ["ledger"], {});
    expect(await subgraph.exit()).toBe(64);
    expect(subgraph.output()).toMatch(/usage: npm run start:subgraph -- <accounts\|balances\|payouts\|crypto>/);
  });
});
