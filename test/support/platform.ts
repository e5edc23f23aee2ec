// The platform under test: the real gateway and four subgraphs on ephemeral loopback ports,
// over real HTTP, on the worker's database. Started once per worker and shared by its files.

import { randomBytes } from "node:crypto";
import { startPlatform, type RunningPlatform } from "../../cmd/platform.ts";
import { loadConfig, SUBGRAPH_NAMES, type Config } from "../../subgraphs/shared/config.ts";
import { createLogger } from "../../subgraphs/shared/logger.ts";
import { testDatabase } from "./database.ts";

export const ADMIN_API_KEY = `admin_${randomBytes(16).toString("hex")}`;

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(
    {
      NODE_ENV: "test",
      LOG_LEVEL: process.env["TEST_LOG_LEVEL"] ?? "silent",
      PORT: "0",
      HOST: "127.0.0.1",
      ADMIN_API_KEY,
      GATEWAY_SECRET: randomBytes(32).toString("hex"),
      SETTLEMENT_DELAY_MS: "0",
      PAYOUT_STEP_MS: "0",
      SEED_DEMO: "false",
      // Suites share one platform and hammer it; the limits have their own gateway
      // (rate-limits.e2e.test.ts).
      RATE_LIMIT_PER_SECOND: "0",
      // Suites send wrong keys on purpose, all from 127.0.0.1; the budget has its own gateways
      // (auth-failures.e2e.test.ts).
      AUTH_FAILURES_PER_MINUTE: "0",
      // CI runs the e2e suite once per query planner, and once with the gateway reaching its
      // process's subgraphs over HTTP (.ci/run).
      ...(process.env["GATEWAY_PLANNER"] ? { GATEWAY_PLANNER: process.env["GATEWAY_PLANNER"] } : {}),
      ...(process.env["SUBGRAPH_TRANSPORT"] ? { SUBGRAPH_TRANSPORT: process.env["SUBGRAPH_TRANSPORT"] } : {}),
      ...overrides,
    },
    { allowGeneratedSecret: false },
  );
}

let running: Promise<RunningPlatform> | undefined;

export function testPlatform(): Promise<RunningPlatform> {
  running ??= (async () => {
    const config = testConfig();
    return startPlatform({
      config,
      logger: createLogger(config.LOG_LEVEL, "test"),
      subgraphs: SUBGRAPH_NAMES,
      gateway: true,
      ephemeralSubgraphPorts: true,
      db: await testDatabase(),
    });
  })();
  return running;
}
