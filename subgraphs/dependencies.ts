// The one factory of a process's dependencies: the shared core (database, configuration,
// idempotency, keyring) and every module's long-lived services, built here explicitly and
// stopped together. Entry points, tests and benchmarks all build their dependencies here.

import { BalancesServices } from "./balances/api.ts";
import { createCryptoServices } from "./crypto/api.ts";
import type { Config } from "./shared/config.ts";
import { coreDependencies, type Dependencies } from "./shared/context.ts";
import type { Database } from "./shared/db/database.ts";
import type { Logger } from "./shared/logger.ts";

export type { Dependencies };

export function createDependencies(db: Database, config: Config, logger: Logger): Dependencies {
  const core = coreDependencies(db, config, logger);
  const balances = new BalancesServices(core);
  const crypto = createCryptoServices(core);
  let stopping: Promise<void> | undefined;
  return {
    ...core,
    balances,
    crypto,
    // Before the database closes: the batcher's last commits need it.
    stop: () => (stopping ??= balances.stop()),
  };
}
