// What every resolver receives: the verified principal, the process's dependencies, the
// request's id and a logger bound to it, and the per-request DataLoaders (created per request,
// never at module scope, so no data leaks between callers).

import { randomUUID } from "node:crypto";
import DataLoader from "dataloader";
import type { Config } from "./config.ts";
import { Keyring } from "./encryption/keyring.ts";
import type { Database } from "./db/database.ts";
import { DatabaseOutage } from "./db/outage.ts";
import { AppError } from "./errors.ts";
import { Idempotency } from "./idempotency/idempotency.ts";
import type { Logger } from "./logger.ts";
import type { PlatformPrincipal, Principal } from "./auth/principal.ts";
import { RequestScope } from "./request-id.ts";

/** What every module needs, built once per process by `coreDependencies`. */
export interface CoreDependencies {
  readonly db: Database;
  readonly config: Config;
  readonly logger: Logger;
  readonly idempotency: Idempotency;
  /** Where requests, workers and listeners report the database being unreachable (logged once). */
  readonly outage: DatabaseOutage;
  /** ENCRYPTION_KEYS and FINGERPRINT_KEY, ready to seal, open and fingerprint. */
  readonly keyring: Keyring;
}

/**
 * The modules' long-lived services, one entry per module (the balances subgraph's transfer
 * batcher and event hub, the crypto subgraph's rate source). Shared code names no module: each
 * module adds its entry to this interface (declaration merging, see subgraphs/balances/services.ts)
 * and subgraphs/dependencies.ts, the one factory, builds them all.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModuleServices {}

/**
 * A process's dependencies: built by `createDependencies` (subgraphs/dependencies.ts), stopped
 * with it. A copy (`{ ...deps, config }`) shares the same services.
 */
export interface Dependencies extends CoreDependencies, ModuleServices {
  /** Stops the long-lived services (drains the transfer batcher); the database is closed after. */
  stop(): Promise<void>;
}

export function coreDependencies(db: Database, config: Config, logger: Logger): CoreDependencies {
  const outage = new DatabaseOutage({ logger: logger.child({ component: "database" }), probe: () => db.sql.query("SELECT 1") });
  const keyring = new Keyring(config.encryption.keys, config.encryption.fingerprintKey);
  return { db, config, logger, idempotency: new Idempotency(db), outage, keyring };
}

export interface SubgraphContext {
  readonly principal: Principal;
  readonly deps: Dependencies;
  readonly scope: RequestScope;
  /** The gateway's id for this request. */
  readonly requestId: string;
  /** The process's logger bound to requestId: what a resolver or service logs about this request. */
  readonly logger: Logger;
  loader<K, V>(name: string, batch: DataLoader.BatchLoadFn<K, V>): DataLoader<K, V>;
}

export function createContext(
  principal: Principal,
  deps: Dependencies,
  scope: RequestScope = new RequestScope(randomUUID(), deps.logger),
): SubgraphContext {
  return new RequestContext(principal, deps, scope);
}

/**
 * A class, not an object literal with getters: Apollo Server runs each operation on a shallow
 * copy of its context (Object.assign), which reads every own getter (binding a child logger per
 * request that nothing may log to) and copies an object of accessors slowly; here the getters and
 * `loader` live on the prototype the copy keeps, and only four fields are copied.
 */
class RequestContext implements SubgraphContext {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  constructor(
    readonly principal: Principal,
    readonly deps: Dependencies,
    readonly scope: RequestScope,
  ) {}

  get requestId(): string {
    return this.scope.requestId;
  }

  get logger(): Logger {
    return this.scope.logger;
  }

  loader<K, V>(name: string, batch: DataLoader.BatchLoadFn<K, V>): DataLoader<K, V> {
    let loader = this.loaders.get(name) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader(batch, { maxBatchSize: 500 });
      this.loaders.set(name, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

/** The platform behind the request; the operator key may only create platforms. */
export function platformOf(context: SubgraphContext): PlatformPrincipal {
  if (context.principal.kind === "platform") return context.principal;
  throw new AppError("FORBIDDEN", "This operation needs a platform's secret key");
}

/**
 * Who reads an Account's data, for its field resolvers in every subgraph: the platform behind
 * the request, or null for the operator key. The operator reaches an Account only in
 * createPlatform's payload and reads none of a platform's data there: such a field answers
 * empty instead of failing the payload, which carries the new platform's only copy of its secrets.
 */
export function readerOf(context: SubgraphContext): PlatformPrincipal | null {
  return context.principal.kind === "operator" ? null : platformOf(context);
}
