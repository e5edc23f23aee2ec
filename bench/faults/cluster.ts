// The platform under test as separate processes, as `npm run start:subgraph` / `start:worker` /
// `start:gateway` start them, on one database: the four subgraphs, the worker and the gateway.
// A process killed by the nemesis is started again on the same port (the gateway's subgraph URLs
// and the clients' gateway URL stay valid), the way a supervisor would. With `bundles`, each runs
// its `npm run build` bundle (dist/cmd/…js) as the image does, rather than its TypeScript.

import { randomBytes } from "node:crypto";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config.ts";
import { spawnEntry, type Spawned } from "../../cmd/spawn.ts";

export type ProcessName = SubgraphName | "worker" | "gateway";

const LISTENING = {
  subgraph: /"url":"(http:\/\/[^"]+)"[^\n]*subgraph listening/,
  gateway: /"url":"http:\/\/localhost:(\d+)\/graphql"[^\n]*gateway listening/,
  worker: /worker started/,
};

export interface Cluster {
  readonly adminKey: string;
  gatewayUrl(): string;
  process(name: ProcessName): Spawned;
  /** SIGKILL, then start it again on the same port; resolves once it is listening again. */
  killAndRestart(name: ProcessName): Promise<void>;
  /** The gateway reports ready (which means every subgraph is) and the worker is running. */
  ready(): Promise<boolean>;
  /** Exit codes of processes that died without being killed on purpose. */
  unexpectedExits(): string[];
  stop(): Promise<void>;
}

export async function startCluster(
  databaseUrl: string,
  settings: Record<string, string>,
  options: { readonly bundles?: boolean } = {},
): Promise<Cluster> {
  const entry = (name: "worker" | "gateway" | "subgraph") => (options.bundles ? `dist/cmd/${name}.js` : `cmd/${name}.ts`);
  const adminKey = `admin_${randomBytes(16).toString("hex")}`;
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    GATEWAY_SECRET: randomBytes(32).toString("hex"),
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    ...settings,
  };
  const processes = new Map<ProcessName, Spawned>();
  const ports = new Map<ProcessName, string>();
  const deaths: string[] = [];
  const killing = new Set<Spawned>();
  let stopping = false;

  const watch = (name: ProcessName, spawned: Spawned) => {
    void spawned.exit().then((code) => {
      if (!stopping && !killing.has(spawned))
        deaths.push(`${name} exited (${code ?? spawned.child.signalCode}):\n${spawned.output().slice(-2_000)}`);
    });
  };

  const start = async (name: ProcessName, extra: Record<string, string>): Promise<void> => {
    const port = ports.get(name) ?? "0";
    let spawned: Spawned;
    if (name === "worker") {
      spawned = spawnEntry(entry("worker"), [], env);
      await spawned.waitFor(LISTENING.worker);
    } else if (name === "gateway") {
      spawned = spawnEntry(entry("gateway"), [], { ...env, ...extra, PORT: port });
      const [, gatewayPort] = await spawned.waitFor(LISTENING.gateway);
      ports.set(name, gatewayPort!);
    } else {
      spawned = spawnEntry(entry("subgraph"), [name], { ...env, [`${name.toUpperCase()}_PORT`]: port });
      const [, url] = await spawned.waitFor(LISTENING.subgraph);
      ports.set(name, new URL(url!).port);
    }
    processes.set(name, spawned);
    watch(name, spawned);
  };

  const subgraphUrls = () =>
    Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports.get(name)}/graphql`]));

  const cluster: Cluster = {
    adminKey,
    gatewayUrl: () => `http://127.0.0.1:${ports.get("gateway")}/graphql`,
    process(name) {
      const spawned = processes.get(name);
      if (!spawned) throw new Error(`${name} is not running`);
      return spawned;
    },
    async killAndRestart(name) {
      const spawned = cluster.process(name);
      killing.add(spawned);
      spawned.child.kill("SIGKILL");
      await spawned.exit();
      await start(name, name === "gateway" ? subgraphUrls() : {});
    },
    async ready() {
      const worker = processes.get("worker");
      if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return false;
      // The gateway's /readyz names each subgraph's state: every process is ready when all are.
      const body = await fetch(cluster.gatewayUrl().replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(5_000) })
        .then((response) => (response.ok ? (response.json() as Promise<{ status?: string }>) : undefined))
        .catch(() => undefined);
      return body?.status === "ready";
    },
    unexpectedExits: () => [...deaths],
    async stop() {
      stopping = true;
      await Promise.all(
        [...processes.values()].map(async (spawned) => {
          const killer = setTimeout(() => spawned.child.kill("SIGKILL"), 10_000);
          try {
            await spawned.stop("SIGTERM");
          } finally {
            clearTimeout(killer);
          }
        }),
      );
    },
  };

  try {
    // Together (each migrates on start, under Prisma's advisory lock): the gateway needs their ports.
    await Promise.all([...SUBGRAPH_NAMES, "worker" as const].map((name) => start(name, {})));
    await start("gateway", subgraphUrls());
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
