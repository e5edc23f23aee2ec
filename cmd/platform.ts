// Starting and stopping the pieces: the database (migrated on start), any of the four subgraphs
// and the gateway, in one process or several. Used by the cmd/ entry points and by the tests.
//
// A process loads only what it serves: the gateway's runtime and the subgraphs' GraphQL layers
// are imported when asked for, not by every process that starts here. Half a cold start's CPU
// went on modules a lone subgraph or the worker never uses, and a process killed in production
// is down for as long as its start takes.

import { join } from "node:path";
import type { RunningGateway } from "../gateway/server.ts";
import { migrate } from "../prisma/migrate.ts";
import { SUBGRAPH_NAMES, subgraphPort, type Config, type SubgraphName } from "../subgraphs/shared/config.ts";
import { createDependencies, type Dependencies } from "../subgraphs/dependencies.ts";
import { openDatabase, type Database } from "../subgraphs/shared/db/database.ts";
import type { Logger } from "../subgraphs/shared/logger.ts";
import type { RunningSubgraph } from "../subgraphs/shared/server.ts";
import { startBalancesWorker } from "../subgraphs/balances/api.ts";
import { startPayoutsWorker } from "../subgraphs/payouts/api.ts";
import { startCryptoWorker } from "../subgraphs/crypto/api.ts";

export async function openMigratedDatabase(config: Config, logger: Logger): Promise<Database> {
  const db = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: join(config.DATA_DIR, "pglite"),
    poolSize: config.DATABASE_POOL_SIZE,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS === "true",
  });
  const applied = await db.session((sql) => migrate(sql));
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  return db;
}

export interface StartOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Which subgraphs this process serves. */
  readonly subgraphs: readonly SubgraphName[];
  readonly gateway: boolean;
  /** Serve subgraphs on ephemeral loopback ports and route the gateway to them (all-in-one). */
  readonly ephemeralSubgraphPorts: boolean;
  /** An already open database (tests share one); otherwise one is opened and migrated. */
  readonly db?: Database;
  /** Whose background workers run (default: those of every subgraph served). */
  readonly workers?: readonly SubgraphName[];
}

export interface RunningPlatform {
  readonly config: Config;
  readonly deps: Dependencies | undefined;
  readonly gateway: RunningGateway | undefined;
  readonly subgraphs: readonly RunningSubgraph[];
  stop(): Promise<void>;
}

export async function startPlatform(options: StartOptions): Promise<RunningPlatform> {
  const { logger } = options;
  let config = options.config;
  const ownsDb = !options.db && options.subgraphs.length > 0;
  const db = options.db ?? (options.subgraphs.length > 0 ? await openMigratedDatabase(config, logger) : undefined);
  const deps: Dependencies | undefined = db && createDependencies(db, config, logger);

  const subgraphs: RunningSubgraph[] = [];
  try {
    if (options.subgraphs.length > 0) {
      const { SUBGRAPHS, buildSubgraph, serveSubgraph } = await subgraphModules();
      for (const name of options.subgraphs) {
        const port = options.ephemeralSubgraphPorts ? 0 : subgraphPort(config, name);
        subgraphs.push(
          await serveSubgraph({
            name,
            schema: await buildSubgraph(SUBGRAPHS[name]),
            deps: deps!,
            host: options.ephemeralSubgraphPorts ? "127.0.0.1" : config.SUBGRAPH_HOST,
            port,
          }),
        );
      }
    }
    if (options.ephemeralSubgraphPorts) {
      const urls = Object.fromEntries(subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
      config = { ...config, subgraphUrls: { ...config.subgraphUrls, ...urls } };
    }
    // The subgraphs served here are the gateway's to call directly (SUBGRAPH_TRANSPORT).
    const gateway = options.gateway
      ? await (
          await import("../gateway/server.ts")
        ).startGateway({
          config,
          logger,
          inProcessSubgraphs: new Map(subgraphs.map((subgraph) => [subgraph.name, subgraph])),
        })
      : undefined;
    // Background work runs beside the subgraph that owns it.
    const runs = (name: SubgraphName) => options.subgraphs.includes(name) && (options.workers ?? options.subgraphs).includes(name);
    const workers = deps
      ? [
          ...(runs("balances") ? [startBalancesWorker(deps)] : []),
          ...(runs("payouts") ? [startPayoutsWorker(deps)] : []),
          ...(runs("crypto") ? [startCryptoWorker(deps)] : []),
        ]
      : [];

    let stopping: Promise<void> | undefined;
    return {
      config,
      deps: deps && { ...deps, config },
      gateway,
      subgraphs,
      stop() {
        // Gateway first (drains client requests), then subgraphs, then the database.
        stopping ??= (async () => {
          await gateway?.stop();
          logger.debug("gateway stopped");
          await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
          logger.debug("subgraphs stopped");
          await Promise.all(workers.map((worker) => worker.stop()));
          // The transfer batcher commits what it holds, the event hub closes its listener.
          await deps?.stop();
          if (ownsDb) await db?.close();
          logger.debug("database closed");
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop().catch(() => {})));
    await deps?.stop().catch(() => {});
    if (ownsDb) await db?.close().catch(() => {});
    throw error;
  }
}

/** What serving a subgraph takes: its GraphQL layer and the HTTP server around it. */
async function subgraphModules() {
  const [{ SUBGRAPHS }, { buildSubgraph }, { serveSubgraph }] = await Promise.all([
    import("../subgraphs/index.ts"),
    import("../subgraphs/shared/subgraph.ts"),
    import("../subgraphs/shared/server.ts"),
  ]);
  return { SUBGRAPHS, buildSubgraph, serveSubgraph };
}

export function isSubgraphName(value: string | undefined): value is SubgraphName {
  return (SUBGRAPH_NAMES as readonly string[]).includes(value ?? "");
}

/**
 * Ctrl-C (or SIGTERM) stops cleanly; another one, a moment later, forces the exit. npm relays
 * the terminal's SIGINT to the process that already got it, so duplicates within a second are
 * the same Ctrl-C.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < 1_000) return;
      logger.warn("forced exit");
      process.exit(130);
    }
    firstAt = Date.now();
    logger.info({ signal }, "shutting down");
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "unclean shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
