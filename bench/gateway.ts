// `npm run bench:gateway`: the gateway against its peers and against itself as it was.
//
//   1. The public federation-gateway benchmark (graphql-hive/graphql-gateways-benchmark): its
//      query over its four subgraphs (accounts, inventory, products, reviews; small memoized ones
//      in bench/federation/), 50 connections, through stock @apollo/gateway, Hive Gateway with the
//      JS planner, Hive Gateway with the Rust planner, and ours with every plugin on (API key,
//      signed subgraph requests, limits, rate limit) and the V8 flags it ships with. Each gateway
//      is a process of its own; rounds are interleaved (every gateway once per round) so a busy
//      moment costs each the same.
//   2. The product itself through the all-in-one process on Postgres: the dashboard query
//      (viewer, balances, 50 connected accounts with balances and bank accounts, 20 balance
//      transactions) and createTransfer (bench/product.ts). With BENCH_BASE=<commit>, that
//      commit's all-in-one runs beside this tree's (bench/checkouts.ts), rounds interleaved.
//
// Every table also gives the CPU time (user + system, from /proc) the gateway process spent per
// request, and the reference's divided by it: on a shared machine the rates swing with the load,
// the CPU a request costs barely does, so that ratio is the steadier comparison.
//
// Needs DATABASE_URL (a Postgres server; each process gets a database of its own, dropped at the
// end). Part 1 runs twice: with inbound in-flight deduplication (identical concurrent queries
// share one execution; the public benchmark turns it on for Hive Gateway, and ours has it on by
// default) and without it, for every Hive-based gateway alike (@apollo/gateway has none).
// Knobs: BENCH_SECONDS (per round and gateway, default 10), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (50), BENCH_PRODUCT_CONNECTIONS (20), BENCH_PARTS (`federation,product`),
// BENCH_DEDUP (`off,on`: part 1's runs), BENCH_TARGETS (part 1's gateways: `apollo,hive-js,
// hive-rust,ours`, and `ours:NAME=VALUE;…` for ours with other settings), BENCH_CPU_PROFILE (a directory: each gateway of part 1 writes a V8 CPU profile
// into <directory>/<gateway> when it stops; open it in Chrome DevTools or speedscope).

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPlatform } from "../cmd/platform.ts";
import { scriptFlags } from "../cmd/spawn.ts";
import { insertPlatform } from "../subgraphs/accounts/api.ts";
import { loadConfig } from "../subgraphs/shared/config.ts";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { BENCHMARK_QUERY, startSubgraphs } from "./federation/subgraphs.ts";
import { checkoutsToCompare } from "./checkouts.ts";
import {
  closeConnections,
  DASHBOARD_QUERY,
  post,
  seedPlatform,
  startProduct,
  TRANSFER_MUTATION,
  type RunningProduct,
  type SeededPlatform,
} from "./product.ts";
import { freshDatabase, load, machine, table, type LoadResult } from "./support.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const serverUrl = process.env["DATABASE_URL"];
if (!serverUrl) {
  console.error("bench:gateway needs DATABASE_URL (a Postgres server), e.g. postgresql://postgres@127.0.0.1:5432/postgres");
  process.exit(2);
}
const numberOf = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const seconds = numberOf("BENCH_SECONDS", 10);
const rounds = numberOf("BENCH_ROUNDS", 3);
const connections = numberOf("BENCH_CONNECTIONS", 50);
const productConnections = numberOf("BENCH_PRODUCT_CONNECTIONS", 20);
const parts = (process.env["BENCH_PARTS"] ?? "federation,product").split(",");
const dedupRuns = (process.env["BENCH_DEDUP"] ?? "off,on").split(",").map((each) => each === "on");
const gatewayKinds = (process.env["BENCH_TARGETS"] ?? "apollo,hive-js,hive-rust,ours").split(",");
const cpuProfile = process.env["BENCH_CPU_PROFILE"];

/** A process started for the benchmark; resolves the first match of `pattern` in its output. */
interface Child {
  readonly process: ChildProcess;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

// Production mode, as a deployment runs (it needs keys of its own: these, for this run only).
const PRODUCTION = {
  NODE_ENV: "production",
  ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
  FINGERPRINT_KEY: randomBytes(32).toString("base64"),
};

function start(args: string[], env: Record<string, string | undefined>, cwd = ROOT, nodeOptions: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeOptions, "--import", "tsx", ...args], {
    cwd,
    env: { PATH: process.env["PATH"], HOME: process.env["HOME"], ...PRODUCTION, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  child.once("exit", () => waiters.splice(0).forEach((wake) => wake()));
  return {
    process: child,
    async waitFor(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`${args.join(" ")}: no ${pattern} in:\n${output.slice(-2_000)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 250);
        });
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(force);
    },
  };
}

function row(name: string, result: LoadResult): Record<string, string | number> {
  const errors = Object.entries(result.errors)
    .map(([code, count]) => `${code}×${count}`)
    .join(" ");
  return {
    target: name,
    "req/s": result.perSecond,
    "p50 ms": result.p50ms,
    "p99 ms": result.p99ms,
    requests: result.operations,
    ...(result.cpuMsPerOperation === undefined ? {} : { "CPU ms/req": result.cpuMsPerOperation }),
    errors: errors || "0",
  };
}

/**
 * Per target, the mean of its rounds and its ratio to each reference's; and the gateway process's
 * CPU time per request (the rounds' total over their requests), with the reference's divided by
 * it: the efficiency ratio, which holds on a busy machine where the rate does not.
 */
function summary(results: Map<string, LoadResult[]>, references: string[]): Record<string, string | number>[] {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const rate = (name: string) => mean((results.get(name) ?? []).map((r) => r.perSecond));
  const cpu = (name: string) => {
    const list = results.get(name) ?? [];
    if (list.some((r) => r.cpuMsPerOperation === undefined)) return NaN;
    const requests = list.reduce((sum, r) => sum + r.operations, 0);
    return list.reduce((sum, r) => sum + r.cpuMsPerOperation! * r.operations, 0) / requests;
  };
  return [...results].map(([name, list]) => ({
    target: name,
    "req/s (rounds)": list.map((r) => r.perSecond).join(" / "),
    "req/s mean": Math.round(rate(name)),
    ...Object.fromEntries(references.map((reference) => [`× ${reference}`, (rate(name) / rate(reference)).toFixed(2)])),
    "CPU ms/req": cpu(name).toFixed(3),
    ...Object.fromEntries(references.map((reference) => [`CPU × ${reference}`, (cpu(reference) / cpu(name)).toFixed(2)])),
    "p50 ms": mean(list.map((r) => r.p50ms)).toFixed(1),
    "p99 ms": mean(list.map((r) => r.p99ms)).toFixed(1),
    errors: list.reduce((sum, r) => sum + Object.values(r.errors).reduce((a, b) => a + b, 0), 0),
  }));
}

async function federation(dedup: boolean): Promise<void> {
  const subgraphs = await startSubgraphs();
  const dir = mkdtempSync(join(tmpdir(), "moneygraph-bench-"));
  const supergraphPath = join(dir, "supergraph.graphql");
  writeFileSync(supergraphPath, subgraphs.supergraphSdl);
  // Ours checks API keys with the accounts subgraph of this project, on a database of its own.
  const database = await freshDatabase(serverUrl!, 5);
  const secret = randomBytes(32).toString("hex");
  const config = loadConfig(
    { DATABASE_URL: database.url, GATEWAY_SECRET: secret, LOG_LEVEL: "warn", ACCOUNTS_PORT: "0" },
    { allowGeneratedSecret: false },
  );
  const accounts = await startPlatform({
    config,
    logger: createLogger("warn", "bench"),
    subgraphs: ["accounts"],
    gateway: false,
    ephemeralSubgraphPorts: true,
    db: database.db,
  });
  const { secretKey } = await insertPlatform(accounts.deps!, { displayName: "Bench", country: "US", defaultCurrency: "USD" });
  const children: Child[] = [];
  try {
    const overrides = Object.entries(subgraphs.urls)
      .map(([name, url]) => `${name}=${url}`)
      .join(",");
    const targets = [
      { name: "@apollo/gateway", env: { BENCH_GATEWAY: "apollo" }, headers: {} as Record<string, string> },
      { name: "Hive Gateway (JS)", env: { BENCH_GATEWAY: "hive-js" }, headers: {} },
      { name: "Hive Gateway (Rust)", env: { BENCH_GATEWAY: "hive-rust" }, headers: {} },
      {
        name: "ours (Rust, all plugins)",
        env: {
          BENCH_GATEWAY: "ours",
          GATEWAY_SECRET: secret,
          SUBGRAPH_URLS: overrides,
          AUTH_URL: accounts.subgraphs[0]!.url,
          // Counted, never refused: the limiter's cost is in the figure, not its refusals.
          RATE_LIMIT_PER_SECOND: "1000000",
          LOG_LEVEL: "warn",
        },
        headers: { authorization: `Bearer ${secretKey}` },
      },
    ];
    // `ours:NAME=VALUE;NAME=VALUE` in BENCH_TARGETS: ours again with those settings (to measure
    // what one plugin costs, e.g. `ours,ours:METRICS_ENABLED=false`).
    const selected = gatewayKinds.flatMap((kind) => {
      const [base, settings] = kind.split(/:(.*)/s);
      const target = targets.find((each) => each.env.BENCH_GATEWAY === base);
      if (!target) throw new Error(`BENCH_TARGETS: unknown gateway ${base}`);
      if (!settings) return [target];
      const extra = Object.fromEntries(settings.split(";").map((setting) => setting.split(/=(.*)/s).slice(0, 2) as [string, string]));
      return [{ ...target, name: `${target.name} ${settings}`, env: { ...target.env, ...extra } }];
    });
    const running = [];
    for (const [index, target] of selected.entries()) {
      const profile = cpuProfile ? ["--cpu-prof", `--cpu-prof-dir=${join(cpuProfile, `${target.env.BENCH_GATEWAY}-${index}`)}`] : [];
      // Ours runs with the V8 flags it ships with (`npm run start:gateway`'s, which the image's
      // entry point also uses); the peers as the public benchmark runs them. To compare the
      // engines alone, give a peer the same flags: `hive-rust:NODE_OPTIONS=--max-semi-space-size=64`.
      const shipped = target.env.BENCH_GATEWAY === "ours" ? scriptFlags("cmd/gateway.ts") : [];
      const child = start(
        ["bench/federation/gateway-process.ts"],
        { ...target.env, SUPERGRAPH_PATH: supergraphPath, DEDUPLICATE_INFLIGHT_QUERIES: String(dedup) },
        ROOT,
        [...shipped, ...profile],
      );
      children.push(child);
      const port = Number((await child.waitFor(/listening (\d+)/))[1]);
      running.push({ ...target, port, pid: child.process.pid! });
    }
    const body = JSON.stringify({ query: BENCHMARK_QUERY });
    // The same answer from each, as JSON (and a warm-up of every path and memo).
    const answers = await Promise.all(running.map(async (target) => JSON.parse(await post(target.port, body, target.headers)) as unknown));
    const equal = answers.every((answer) => JSON.stringify(answer) === JSON.stringify(answers[0]));
    console.log(`federation benchmark: responses equal as JSON: ${equal}`);
    const results = new Map<string, LoadResult[]>(running.map((target) => [target.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const target of running) {
        const result = await load(connections, seconds, async () => void (await post(target.port, body, target.headers)), target.pid);
        results.get(target.name)!.push(result);
        console.log(JSON.stringify({ part: "federation", dedup, round, ...row(target.name, result) }));
      }
    }
    console.log(
      `\nfederation benchmark, in-flight deduplication ${dedup ? "on" : "off"}, ${connections} connections, ${rounds} rounds of ${seconds} s, interleaved\n${table(
        summary(
          results,
          ["@apollo/gateway", "Hive Gateway (Rust)"].filter((name) => results.has(name)),
        ),
      )}\n`,
    );
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await accounts.stop();
    await subgraphs.stop();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function product(): Promise<void> {
  // Each checkout (BENCH_BASE's, then this tree), and this tree again without in-flight
  // deduplication (every dashboard request then executes).
  const checkouts = checkoutsToCompare();
  const head = checkouts.at(-1)!;
  const variants = [
    ...checkouts.map((checkout) => ({ name: checkout.label, checkout, env: {} })),
    { name: `${head.label}, no dedup`, checkout: head, env: { DEDUPLICATE_INFLIGHT_QUERIES: "false" } },
  ];
  const targets: (RunningProduct & SeededPlatform & { name: string })[] = [];
  try {
    for (const variant of variants) {
      const running = await startProduct(variant.checkout, serverUrl!, variant.env);
      targets.push({ ...running, ...(await seedPlatform(running.port, running.adminKey)), name: variant.name });
    }
    const dashboard = new Map<string, LoadResult[]>(targets.map((target) => [target.name, []]));
    const transfers = new Map<string, LoadResult[]>(targets.map((target) => [target.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        const headers = { authorization: `Bearer ${target.key}` };
        const body = JSON.stringify({ query: DASHBOARD_QUERY });
        const read = await load(productConnections, seconds, async () => void (await post(target.port, body, headers)), target.pid);
        dashboard.get(target.name)!.push(read);
        console.log(JSON.stringify({ part: "dashboard", round, ...row(target.name, read) }));
        const write = await load(
          productConnections,
          seconds,
          async (worker, n) => {
            const destination = target.connected[(worker * 7 + n) % target.connected.length]!;
            await post(
              target.port,
              JSON.stringify({
                query: TRANSFER_MUTATION,
                variables: { input: { destinationAccountId: destination, amount: "1", currency: "USD" }, key: randomUUID() },
              }),
              headers,
            );
          },
          target.pid,
        );
        transfers.get(target.name)!.push(write);
        console.log(JSON.stringify({ part: "createTransfer", round, ...row(target.name, write) }));
      }
    }
    const reference = targets[0]!.name;
    console.log(
      `\ndashboard query, all-in-one on Postgres, ${productConnections} connections, ${rounds} rounds of ${seconds} s, interleaved\n${table(summary(dashboard, [reference]))}`,
    );
    console.log(
      `\ncreateTransfer, all-in-one on Postgres, ${productConnections} connections, ${rounds} rounds of ${seconds} s, interleaved\n${table(summary(transfers, [reference]))}\n`,
    );
  } finally {
    for (const target of targets) await target.stop();
    for (const checkout of checkouts) checkout.remove();
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${machine()}; load average at start: ${execSync("uptime").toString().trim()}`);
  if (parts.includes("federation")) {
    for (const dedup of dedupRuns) await federation(dedup);
  }
  if (parts.includes("product")) await product();
  console.log(`load average at end: ${execSync("uptime").toString().trim()}`);
  closeConnections();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
