// `npm run bench:subscriptions`: balance events through the gateway to many graphql-ws clients.
//
//   1. BENCH_HOT_SUBSCRIBERS (default 1,000) subscribers, each on its own socket, all on one
//      connected account; transfers to it at BENCH_HOT_RATE per second.
//   2. BENCH_SPREAD_SUBSCRIBERS (default 10,000) subscribers over BENCH_SPREAD_ACCOUNTS (1,000)
//      accounts of 10 platforms; transfers to random accounts at BENCH_SPREAD_RATE per second.
//
// Each subscriber asks for `account { displayName }` (an entity fetch to the accounts subgraph
// per event) and checks it got every event of its account, in order. Latency is from the
// transfer's commit (as its writer sees it) to the event's arrival at the client; memory is the
// gateway process's resident set, before subscribing and with everyone subscribed. Per event,
// "first" is its earliest delivery (the path up to the fan-out) and "spread" the time from its
// earliest to its latest (the fan-out to every subscriber of its account).
//
// Real processes on loopback: the four subgraphs and the gateway, as `npm run start:subgraph` and
// `npm run start:gateway` start them, on a database of their own on DATABASE_URL (dropped at
// the end). This process writes the transfers (through the createTransfer use case) on its main
// thread; the clients (graphql-ws's) run on BENCH_CLIENT_THREADS worker threads (default 2), the
// subscribers dealt out between them (subscription-clients.ts), so that one client event loop
// reading a thousand sockets is not the figure. The gateway's CPU time per event (all its work
// for the event's deliveries, divided by the events) moves less with the machine's load than the
// latencies do. BENCH_SECONDS (default 10)
// bounds each scenario's measured writing time, after BENCH_WARMUP_SECONDS (default 2) of writes
// that are delivered and checked for order but not measured. BENCH_CPU_PROFILE=<directory>: the gateway writes a V8 CPU
// profile there when it stops.

import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { insertPlatform } from "../subgraphs/accounts/api.ts";
import { createTopup, createTransfer } from "../subgraphs/balances/api.ts";
import type { PlatformPrincipal } from "../subgraphs/shared/auth/principal.ts";
import { loadConfig, SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { createDependencies, type Dependencies } from "../subgraphs/dependencies.ts";
import { newId, type AccountId } from "../subgraphs/shared/ids.ts";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { spawnEntry, type Spawned } from "../cmd/spawn.ts";
import type { Plan, Received, Request } from "./subscription-clients.ts";
import { freshDatabase, machine, processCpuMs, table } from "./support.ts";

const USD = parseCurrency("USD")!;
const serverUrl = process.env["DATABASE_URL"];
if (!serverUrl) {
  console.error("bench:subscriptions needs DATABASE_URL (a Postgres server), e.g. postgresql://postgres@127.0.0.1:5432/postgres");
  process.exit(2);
}
const numberOf = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const seconds = numberOf("BENCH_SECONDS", 10);
const warmupSeconds = numberOf("BENCH_WARMUP_SECONDS", 2);
const hot = { subscribers: numberOf("BENCH_HOT_SUBSCRIBERS", 1_000), rate: numberOf("BENCH_HOT_RATE", 20) };
const clientThreads = Math.max(1, numberOf("BENCH_CLIENT_THREADS", 2));
const spread = {
  subscribers: numberOf("BENCH_SPREAD_SUBSCRIBERS", 10_000),
  accounts: numberOf("BENCH_SPREAD_ACCOUNTS", 1_000),
  rate: numberOf("BENCH_SPREAD_RATE", 50),
};

const now = () => performance.timeOrigin + performance.now();

interface Tenant {
  readonly principal: PlatformPrincipal;
  readonly secretKey: string;
  readonly accounts: AccountId[];
}

async function tenants(deps: Dependencies, platforms: number, perPlatform: number): Promise<Tenant[]> {
  const result: Tenant[] = [];
  for (let p = 0; p < platforms; p++) {
    const { account, secretKey } = await insertPlatform(deps, { displayName: `Bench ${p}`, country: "US", defaultCurrency: "USD" });
    const principal: PlatformPrincipal = { kind: "platform", tenantId: account.id, livemode: false, keyId: "bench" };
    const accounts = Array.from({ length: perPlatform }, () => newId("account"));
    await deps.db.prisma.account.createMany({
      data: accounts.map((id) => ({
        id,
        tenantId: account.id,
        platformId: account.id,
        livemode: false,
        type: "CONNECTED" as const,
        displayName: `Seller ${id.slice(-6)}`,
        country: "US",
        defaultCurrency: "USD",
        status: "ACTIVE" as const,
        payoutsEnabled: true,
      })),
    });
    await createTopup(deps, principal, { accountId: account.id, amount: 10n ** 13n, currency: USD }, randomUUID());
    result.push({ principal, secretKey, accounts });
  }
  return result;
}

/** Resident memory of a process, in bytes (Linux). */
function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.replace(/\D+/g, "") ?? 0) * 1024;
}

/** The client threads: each runs its share of the subscribers (subscription-clients.ts). */
class ClientThreads {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private next = 0;

  constructor(count: number) {
    this.workers = Array.from({ length: count }, () => {
      // Node 20's workers do not take the parent's `--import tsx`: the worker registers tsx itself.
      const entry = JSON.stringify(new URL("./subscription-clients.ts", import.meta.url).href);
      const worker = new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); });`, {
        eval: true,
      });
      worker.on("message", ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
        const waiting = this.pending.get(id);
        this.pending.delete(id);
        if (error !== undefined) waiting?.reject(new Error(error));
        else waiting?.resolve(value);
      });
      worker.on("error", (error) => {
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
      });
      return worker;
    });
  }

  private ask<T>(worker: Worker, request: Request): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, request });
    });
  }

  /** Every thread asked the same; their answers in thread order. */
  all<T>(request: Request): Promise<T[]> {
    return Promise.all(this.workers.map((worker) => this.ask<T>(worker, request)));
  }

  /** Subscribes the plan, dealt out round-robin; the seconds it took. */
  async subscribe(url: string, plan: Plan[]): Promise<number> {
    const started = now();
    await Promise.all(
      this.workers.map((worker, w) =>
        this.ask(worker, { type: "subscribe", url, plan: plan.filter((_, i) => i % this.workers.length === w) }),
      ),
    );
    return (now() - started) / 1_000;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * Transfers of 1 to the chosen accounts at `rate` per second for `seconds`; commit times by account
 * and resulting balance. `balances` carries each account's balance from one call to the next.
 */
async function write(
  deps: Dependencies,
  rate: number,
  seconds: number,
  balances: Map<string, bigint>,
  pickTarget: () => { tenant: Tenant; accountId: AccountId },
): Promise<Map<string, number>> {
  const committed = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const end = now() + seconds * 1_000;
  // Per-account chains keep each account's transfers (and so its expected balances) in order.
  const chains = new Map<string, Promise<void>>();
  for (let n = 0; now() < end; n++) {
    const due = end - seconds * 1_000 + (n * 1_000) / rate;
    if (due > now()) await new Promise((resolve) => setTimeout(resolve, due - now()));
    const { tenant, accountId } = pickTarget();
    const chain = (chains.get(accountId) ?? Promise.resolve()).then(async () => {
      await createTransfer(deps, tenant.principal, { destinationAccountId: accountId, amount: 1n, currency: USD }, randomUUID());
      const balance = (balances.get(accountId) ?? 0n) + 1n;
      balances.set(accountId, balance);
      committed.set(`${accountId}:${balance}`, now());
    });
    chains.set(accountId, chain);
    inFlight.add(chain);
    void chain.finally(() => inFlight.delete(chain));
  }
  await Promise.all(inFlight);
  return committed;
}

interface ScenarioResult {
  readonly row: Record<string, string | number>;
}

/** Waits (at most a minute) until every subscriber without errors has every event of its account. */
async function settle(clients: ClientThreads, committed: Map<string, number>): Promise<void> {
  const expected = new Map<string, number>();
  for (const key of committed.keys()) {
    const account = key.slice(0, key.lastIndexOf(":"));
    expected.set(account, (expected.get(account) ?? 0) + 1);
  }
  const deadline = now() + 60_000;
  while (now() < deadline) {
    const waiting = await clients.all<number>({ type: "waiting", expected: [...expected] });
    if (waiting.every((count) => count === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function measure(
  name: string,
  subscribers: Received[],
  committed: Map<string, number>,
  gatewayRss: { before: number; after: number },
  subscribeSeconds: number,
  gatewayCpuMs: number,
): ScenarioResult {
  const latencies: number[] = [];
  // Per event: its first delivery (the pipeline up to the fan-out) and its last (the fan-out).
  const firstAndLast = new Map<string, { first: number; last: number }>();
  let missing = 0;
  let disordered = 0;
  let errors = 0;
  const expectedBy = new Map<string, number>();
  for (const key of committed.keys()) {
    const account = key.slice(0, key.lastIndexOf(":"));
    expectedBy.set(account, (expectedBy.get(account) ?? 0) + 1);
  }
  for (const subscriber of subscribers) {
    errors += subscriber.errors;
    const expected = expectedBy.get(subscriber.accountId) ?? 0;
    missing += Math.max(0, expected - subscriber.balances.length);
    disordered += subscriber.warmupDisordered;
    subscriber.balances.forEach((balance, i) => {
      if (BigInt(balance) !== BigInt(subscriber.warmedUp + i + 1)) disordered += 1;
      const at = committed.get(`${subscriber.accountId}:${balance}`);
      if (at === undefined) return;
      const latency = Math.max(0, subscriber.arrivals[i]! - at);
      latencies.push(latency);
      const event = `${subscriber.accountId}:${balance}`;
      const seen = firstAndLast.get(event);
      if (!seen) firstAndLast.set(event, { first: latency, last: latency });
      else {
        seen.first = Math.min(seen.first, latency);
        seen.last = Math.max(seen.last, latency);
      }
    });
  }
  const quantile = (values: number[], q: number) => {
    values.sort((a, b) => a - b);
    return (values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN).toFixed(1);
  };
  const at = (q: number) => quantile(latencies, q);
  if (process.env["BENCH_DUMP"])
    console.log([...firstAndLast].map(([event, { first, last }]) => `${event.slice(-4)}:${first.toFixed(0)}/${last.toFixed(0)}`).join(" "));
  const firsts = [...firstAndLast.values()].map((each) => each.first);
  const spreads = [...firstAndLast.values()].map((each) => each.last - each.first);
  const perSubscriber = (gatewayRss.after - gatewayRss.before) / subscribers.length;
  const accounts = new Set(subscribers.map((s) => s.accountId)).size;
  return {
    row: {
      scenario: name,
      subscribers: subscribers.length,
      accounts,
      events: committed.size,
      deliveries: latencies.length,
      missing,
      "out of order": disordered,
      errors,
      "p50 ms": at(0.5),
      "p99 ms": at(0.99),
      "max ms": at(1),
      "first p50/p99 ms": `${quantile(firsts, 0.5)} / ${quantile(firsts, 0.99)}`,
      "spread p50/p99 ms": `${quantile(spreads, 0.5)} / ${quantile(spreads, 0.99)}`,
      "gateway CPU ms/event": (gatewayCpuMs / Math.max(1, committed.size)).toFixed(2),
      "subscribe s": subscribeSeconds.toFixed(1),
      "gateway RSS MiB": `${(gatewayRss.before / 2 ** 20).toFixed(0)} → ${(gatewayRss.after / 2 ** 20).toFixed(0)}`,
      "KiB/subscriber": (perSubscriber / 1024).toFixed(1),
    },
  };
}

async function scenario(
  name: string,
  gateway: Spawned,
  url: string,
  deps: Dependencies,
  plan: Plan[],
  rate: number,
  pickTarget: () => { tenant: Tenant; accountId: AccountId },
): Promise<ScenarioResult> {
  const before = rss(gateway.child.pid!);
  const threads = Math.min(clientThreads, plan.length);
  const clients = new ClientThreads(threads);
  try {
    const subscribeSeconds = await clients.subscribe(url, plan);
    // Let every upstream subscription reach the subgraph before the first commit.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = rss(gateway.child.pid!);
    console.log(
      `${name}: ${plan.length} subscribed on ${threads} client threads in ${subscribeSeconds.toFixed(1)} s; writing for ${warmupSeconds} s (warm-up) + ${seconds} s at ${rate}/s`,
    );
    const balances = new Map<string, bigint>();
    if (warmupSeconds > 0) {
      // Not measured: the first events meet cold code paths and fresh connections everywhere.
      await settle(clients, await write(deps, rate, warmupSeconds, balances, pickTarget));
      await clients.all({ type: "warmedUp" });
    }
    const cpuBefore = processCpuMs(gateway.child.pid!);
    const committed = await write(deps, rate, seconds, balances, pickTarget);
    await settle(clients, committed);
    const gatewayCpuMs = processCpuMs(gateway.child.pid!) - cpuBefore;
    const subscribers = (await clients.all<Received[]>({ type: "report" })).flat();
    const result = measure(name, subscribers, committed, { before, after }, subscribeSeconds, gatewayCpuMs);
    console.log(JSON.stringify(result.row));
    return result;
  } finally {
    await clients.all({ type: "dispose" }).catch(() => {});
    await clients.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

async function main(): Promise<void> {
  const bench = await freshDatabase(serverUrl!, 20);
  const config = loadConfig({ SETTLEMENT_DELAY_MS: "0", LOG_LEVEL: "warn" }, { allowGeneratedSecret: true });
  const deps = createDependencies(bench.db, config, createLogger("warn", "bench"));
  const processes: Spawned[] = [];
  try {
    console.log(`machine: ${machine()}`);
    const [hotTenant] = await tenants(deps, 1, 1);
    const spreadTenants = await tenants(deps, 10, Math.ceil(spread.accounts / 10));

    const env = {
      DATABASE_URL: bench.url,
      GATEWAY_SECRET: randomBytes(32).toString("hex"),
      LOG_LEVEL: "info",
      // The benchmark is one tenant's thousands of sockets and operations: no per-tenant limits.
      RATE_LIMIT_PER_SECOND: "0",
      MAX_CONNECTIONS_PER_KEY: "1000000",
      // Port 0 everywhere: each process reports where it listens, and the gateway is told.
      ACCOUNTS_PORT: "0",
      BALANCES_PORT: "0",
      PAYOUTS_PORT: "0",
      CRYPTO_PORT: "0",
    };
    const urls: Record<string, string> = {};
    for (const name of SUBGRAPH_NAMES) processes.push(spawnEntry("cmd/subgraph.ts", [name], env));
    await Promise.all(
      processes.map(async (process, i) => {
        const [, subgraphUrl] = await process.waitFor(/"url":"(http:\/\/[^"]+)"[^\n]*subgraph listening/);
        urls[`${SUBGRAPH_NAMES[i]!.toUpperCase()}_URL`] = subgraphUrl!;
      }),
    );
    const profile = process.env["BENCH_CPU_PROFILE"];
    const gateway = spawnEntry(
      "cmd/gateway.ts",
      [],
      { ...env, ...urls, PORT: "0", HOST: "127.0.0.1" },
      profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [],
    );
    processes.push(gateway);
    const [, gatewayPort] = await gateway.waitFor(/"url":"http:\/\/localhost:(\d+)\/graphql"[^\n]*gateway listening/);
    const url = `ws://127.0.0.1:${gatewayPort}/graphql`;

    const rows: Record<string, string | number>[] = [];
    const hotAccount = hotTenant!.accounts[0]!;
    if (hot.subscribers > 0) {
      const plan = Array.from({ length: hot.subscribers }, () => ({ accountId: hotAccount, key: hotTenant!.secretKey }));
      rows.push(
        (await scenario("one account", gateway, url, deps, plan, hot.rate, () => ({ tenant: hotTenant!, accountId: hotAccount }))).row,
      );
    }
    if (spread.subscribers > 0) {
      const accounts = spreadTenants
        .flatMap((tenant) => tenant.accounts.map((accountId) => ({ tenant, accountId })))
        .slice(0, spread.accounts);
      const plan = Array.from({ length: spread.subscribers }, (_, i) => {
        const { tenant, accountId } = accounts[i % accounts.length]!;
        return { accountId, key: tenant.secretKey };
      });
      rows.push(
        (await scenario("spread", gateway, url, deps, plan, spread.rate, () => accounts[Math.floor(Math.random() * accounts.length)]!)).row,
      );
    }
    console.log(`\nmachine: ${machine()}; ${seconds} s of writes per scenario\n${table(rows)}`);
  } finally {
    await Promise.all(processes.map((process) => process.stop("SIGTERM")));
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
