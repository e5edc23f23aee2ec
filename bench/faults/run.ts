// One bank-style run with faults, end to end: a database of its own, the platform as separate
// processes, the clients and (optionally) the subscribers, the nemesis; then the checks. Used by
// `npm run bench:faults` and by the bounded e2e test. Every process it starts is stopped and the
// database dropped however the run ends (`signal` aborts it early, e.g. on Ctrl-C).

import { freshDatabase } from "../support.ts";
import { startCluster, type Cluster } from "./cluster.ts";
import { checkInvariants, quiescent } from "./checks.ts";
import { History } from "./history.ts";
import { runNemesis, type Fault, type FaultKind } from "./nemesis.ts";
import { createTenants } from "./setup.ts";
import { caughtUp, compareStreams, follow, type StreamReport } from "./stream.ts";
import { fund, runClients } from "./workload.ts";

export interface RunOptions {
  readonly serverUrl: string;
  readonly seconds: number;
  readonly clients: number;
  readonly faultEveryMs: number;
  readonly databaseDownMs: number;
  readonly subscribers: number;
  readonly faultKinds?: readonly FaultKind[];
  /** End the run after this many faults (and the recovery from the last), or after `seconds`, whichever comes first. */
  readonly faults?: number;
  /** A client gives up on an operation (a violation) after this long without a definite answer. */
  readonly giveUpMs?: number;
  readonly signal?: AbortSignal;
  /** Run the processes from their `npm run build` bundles (dist/), built beforehand, as the image does. */
  readonly bundles?: boolean;
}

export interface RunResult {
  readonly history: History;
  readonly faults: Fault[];
  readonly stream: StreamReport | undefined;
  readonly seconds: number;
}

const PLATFORMS = 2;
const CONNECTED_PER_PLATFORM = 4;

export async function runFaults(options: RunOptions): Promise<RunResult> {
  const bench = await freshDatabase(options.serverUrl, 2);
  const databaseName = new URL(bench.url).pathname.slice(1);
  let cluster: Cluster | undefined;
  let finished = false;
  const stopClients = new AbortController();
  const stopFollowers = new AbortController();
  const abort = () => {
    stopClients.abort();
    stopFollowers.abort();
  };
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    cluster = await startCluster(
      bench.url,
      {
        // Small pools: six processes share a server that other work uses too.
        DATABASE_POOL_SIZE: "6",
        RATE_LIMIT_PER_SECOND: "0",
        SETTLEMENT_DELAY_MS: "1000",
        PAYOUT_STEP_MS: "1000",
      },
      { bundles: options.bundles ?? false },
    );
    const gatewayUrl = cluster.gatewayUrl;
    const history = new History();
    const workload = { clients: options.clients, gatewayUrl, giveUpMs: options.giveUpMs ?? 60_000 };
    const tenants = await createTenants(gatewayUrl, cluster.adminKey, PLATFORMS, CONNECTED_PER_PLATFORM);
    const tenantIds = tenants.map((t) => t.platformId);
    await fund(tenants, history, workload);

    const following = tenants.slice(0, options.subscribers).map((tenant) =>
      follow(
        gatewayUrl,
        tenant.secretKey,
        tenant.connected.slice(0, 2).map((c) => c.id),
        stopFollowers.signal,
      ),
    );
    // Let the subscriptions reach the balances subgraph before the first event on their accounts.
    if (following.length > 0) await new Promise((resolve) => setTimeout(resolve, 2_000));

    console.log(`running ${options.clients} clients for ${options.seconds} s, a fault every ${options.faultEveryMs / 1_000} s`);
    const started = performance.now();
    const stopNemesis = new AbortController();
    options.signal?.addEventListener("abort", () => stopNemesis.abort(), { once: true });
    const nemesis = runNemesis(
      cluster,
      { serverUrl: options.serverUrl, name: databaseName },
      {
        everyMs: options.faultEveryMs,
        databaseDownMs: options.databaseDownMs,
        ...(options.faultKinds ? { kinds: options.faultKinds } : {}),
        ...(options.faults ? { count: options.faults } : {}),
      },
      stopNemesis.signal,
      options.signal,
    );
    const clients = runClients(tenants, history, workload, stopClients.signal);
    const timer = setTimeout(() => {
      stopNemesis.abort();
      stopClients.abort();
    }, options.seconds * 1_000);
    const faults = await nemesis;
    stopClients.abort(); // the nemesis ends when the run's time is up or its faults are done
    await clients;
    clearTimeout(timer);
    const seconds = (performance.now() - started) / 1_000;
    options.signal?.throwIfAborted();

    if (!(await quiescent(bench.db.sql, tenantIds, 120_000)))
      history.violation("work never finished", "payouts in flight or top-ups pending 120 s after the run");
    await checkInvariants(bench.db.sql, tenantIds, history);
    let stream: StreamReport | undefined;
    if (following.length > 0) {
      await caughtUp(
        bench.db.sql,
        following.map((f) => f.follower),
        60_000,
      );
      stopFollowers.abort();
      await Promise.all(following.map((f) => f.done));
      stream = await compareStreams(
        bench.db.sql,
        following.map((f) => f.follower),
      );
      // The README promises every event once, in order, with its id, to a client resuming with `after`.
      for (const problem of stream.problems) history.violation("event stream broken", problem);
    }
    for (const death of cluster.unexpectedExits()) history.violation("process died", death);
    finished = true;
    return { history, faults, stream, seconds };
  } finally {
    abort();
    // However the run ends, a process that died on its own is worth seeing.
    if (!finished) for (const death of cluster?.unexpectedExits() ?? []) console.error(`process died: ${death}`);
    await cluster?.stop();
    await bench.drop();
  }
}
