// Service-level dependencies for integration tests: the worker's database and a test config.
import { createDependencies, type Dependencies } from "../../subgraphs/dependencies.ts";
import type { PlatformPrincipal } from "../../subgraphs/shared/auth/principal.ts";
import { createLogger } from "../../subgraphs/shared/logger.ts";
import { newId } from "../../subgraphs/shared/ids.ts";
import { testDatabase } from "./database.ts";
import { testConfig } from "./platform.ts";

export async function testDeps(overrides: Record<string, string> = {}): Promise<Dependencies> {
  const config = testConfig(overrides);
  return createDependencies(await testDatabase(), config, createLogger(config.LOG_LEVEL, "test"));
}

/** A platform row and a principal for it, without going through the API. */
export async function insertPlatform(deps: Dependencies, livemode = false): Promise<PlatformPrincipal> {
  const id = newId("account");
  await deps.db.prisma.account.create({
    data: {
      id,
      tenantId: id,
      type: "PLATFORM",
      displayName: "Platform",
      country: "US",
      defaultCurrency: "USD",
      status: "ACTIVE",
      payoutsEnabled: true,
    },
  });
  return { kind: "platform", tenantId: id, livemode, keyId: "key_test" };
}
