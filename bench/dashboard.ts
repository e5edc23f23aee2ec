// `npm run bench:dashboard`: a dashboard's first page through the all-in-one process on Postgres
// (bench/product.ts's DASHBOARD_QUERY: the viewer, its balances, 50 connected accounts with
// their balances and bank accounts, 20 balance transactions; about 13 KB of JSON).
//
// Per checkout and round: the page's latency one request at a time (serial), and its throughput
// at BENCH_CLIENTS (20) concurrent clients, each with the process's CPU time per page (from
// /proc: the figure that moves least with the machine's load) and the local Postgres server's
// (all its processes, the other checkout's idle polling included). Each client reads a platform of
// its own (BENCH_CLIENTS platforms are seeded), and in-flight deduplication is off (BENCH_DEDUP=on
// keeps it): twenty dashboards open at once are twenty platforms' in production, not one
// platform's twenty copies, which the gateway would answer with one execution (and its upstream
// requests, identical too, with one subgraph request each).
//
// BENCH_BASE=<commit>: that commit runs beside this working tree (bench/checkouts.ts), rounds
// interleaved, and the tables give head / base. BENCH_VARIANT=NAME=VALUE;…: this tree with
// those settings is the base instead (e.g. SUBGRAPH_EXECUTOR=graphql-js). BENCH_ROUNDS (3), BENCH_SECONDS (10, per
// measurement), BENCH_CPU_PROFILE=<directory>: a V8 CPU profile of each checkout's process over
// its measured rounds (not its start or seeding) is written there, and summarised by package at
// the end (bench/profile.ts). Needs DATABASE_URL.

import { execSync } from "node:child_process";
import { join } from "node:path";
import { checkoutsToCompare, interleaved, median, type Checkout } from "./checkouts.ts";
import { closeConnections, DASHBOARD_QUERY, post, seedPlatform, startProduct, type RunningProduct } from "./product.ts";
import { profileByPackage, profiled } from "./profile.ts";
import { load, machine, table, type LoadResult } from "./support.ts";

const serverUrl = process.env["DATABASE_URL"];
if (!serverUrl) {
  console.error("bench:dashboard needs DATABASE_URL (a Postgres server), e.g. postgresql://postgres@127.0.0.1:5432/postgres");
  process.exit(2);
}
const numberOf = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const rounds = numberOf("BENCH_ROUNDS", 3);
const seconds = numberOf("BENCH_SECONDS", 10);
const clients = numberOf("BENCH_CLIENTS", 20);
const dedup = process.env["BENCH_DEDUP"] === "on";
const cpuProfile = process.env["BENCH_CPU_PROFILE"];

/** "base" or "head": where a checkout's profiles go under BENCH_CPU_PROFILE. */
const profileDirectory = (checkout: Checkout) => checkout.label.split(" ")[0]!;

interface Figures {
  serial: LoadResult[];
  concurrent: LoadResult[];
}

const loadAverage = () =>
  execSync("uptime")
    .toString()
    .trim()
    .replace(/^.*load average: /, "");

async function main(): Promise<void> {
  console.log(`machine: ${machine()}; load average at start: ${loadAverage()}`);
  const checkouts = checkoutsToCompare();
  const running: (RunningProduct & { keys: string[] })[] = [];
  try {
    for (const checkout of checkouts) {
      const product = await startProduct(
        checkout,
        serverUrl!,
        { DEDUPLICATE_INFLIGHT_QUERIES: String(dedup), DEDUPLICATE_SUBGRAPH_REQUESTS: String(dedup) },
        { inspect: Boolean(cpuProfile) },
      );
      const keys: string[] = [];
      // Four at a time: seeding is a few hundred mutations per platform.
      for (let first = 0; first < clients; first += 4) {
        const seeded = await Promise.all(
          Array.from({ length: Math.min(4, clients - first) }, () => seedPlatform(product.port, product.adminKey)),
        );
        keys.push(...seeded.map((platform) => platform.key));
      }
      running.push({ ...product, keys });
    }
    const body = JSON.stringify({ query: DASHBOARD_QUERY });
    // Every checkout answers the same page (and warms up).
    for (const product of running) {
      const page = JSON.parse(await post(product.port, body, { authorization: `Bearer ${product.keys[0]}` })) as {
        data: { viewer: { connectedAccounts: { edges: unknown[] }; balanceTransactions: { edges: unknown[] } } };
      };
      const { connectedAccounts, balanceTransactions } = page.data.viewer;
      if (connectedAccounts.edges.length !== 50 || balanceTransactions.edges.length !== 20)
        throw new Error(`${product.checkout.label} answered a different page: ${JSON.stringify(page).slice(0, 300)}`);
      console.log(
        `${product.checkout.label}: ${Buffer.byteLength(await post(product.port, body, { authorization: `Bearer ${product.keys[0]}` }))} bytes a page`,
      );
    }
    const figures = new Map<string, Figures>(running.map((product) => [product.checkout.label, { serial: [], concurrent: [] }]));
    for (let round = 0; round < rounds; round++) {
      for (const product of interleaved(running, round)) {
        const headers = product.keys.map((key) => ({ authorization: `Bearer ${key}` }));
        const page = async (client: number) => void (await post(product.port, body, headers[client]!));
        const mine = figures.get(product.checkout.label)!;
        const load1 = loadAverage();
        const measure = async () => {
          const serial = await load(1, seconds, page, product.pid, true);
          return { serial, concurrent: await load(clients, seconds, page, product.pid, true) };
        };
        const { serial, concurrent } =
          cpuProfile && product.inspectorUrl
            ? await profiled(
                product.inspectorUrl,
                join(cpuProfile, profileDirectory(product.checkout), `round-${round + 1}.cpuprofile`),
                measure,
              )
            : await measure();
        mine.serial.push(serial);
        mine.concurrent.push(concurrent);
        console.log(
          `round ${round + 1} ${product.checkout.label} (load ${load1}): serial p50 ${serial.p50ms} ms, ${serial.cpuMsPerOperation} CPU ms/page ` +
            `(Postgres ${serial.postgresCpuMsPerOperation}); ${clients} clients ${concurrent.perSecond}/s p50 ${concurrent.p50ms} ms ` +
            `p99 ${concurrent.p99ms} ms, ${concurrent.cpuMsPerOperation} CPU ms/page (Postgres ${concurrent.postgresCpuMsPerOperation})` +
            (Object.keys({ ...serial.errors, ...concurrent.errors }).length
              ? `, errors ${JSON.stringify({ ...serial.errors, ...concurrent.errors })}`
              : ""),
        );
      }
    }
    const summary = (list: LoadResult[], pick: (result: LoadResult) => number | undefined) => median(list.map((r) => pick(r) ?? NaN));
    const rows = [...figures].map(([label, { serial, concurrent }]) => ({
      checkout: label,
      "serial p50 ms": summary(serial, (r) => r.p50ms),
      "serial p99 ms": summary(serial, (r) => r.p99ms),
      "serial CPU ms/page": summary(serial, (r) => r.cpuMsPerOperation),
      [`${clients} clients pages/s`]: summary(concurrent, (r) => r.perSecond),
      "p50 ms": summary(concurrent, (r) => r.p50ms),
      "p99 ms": summary(concurrent, (r) => r.p99ms),
      "CPU ms/page": summary(concurrent, (r) => r.cpuMsPerOperation),
      "Postgres CPU ms/page": summary(concurrent, (r) => r.postgresCpuMsPerOperation),
      "pages/s (rounds)": concurrent.map((r) => r.perSecond).join(" "),
      errors: [...serial, ...concurrent].reduce((sum, r) => sum + Object.values(r.errors).reduce((a, b) => a + b, 0), 0),
    }));
    console.log(
      `\ndashboard page, all-in-one on Postgres, in-flight deduplication ${dedup ? "on" : "off"}, ${rounds} rounds of ${seconds} s each, interleaved; medians of the rounds\n${table(rows)}`,
    );
    const [base, head] = rows;
    if (base && head) {
      const ratio = (column: string) => (Number(head[column]) / Number(base[column])).toFixed(2);
      console.log(
        `\nhead / base: serial latency p50 ${ratio("serial p50 ms")}×, ${clients}-client throughput ${ratio(`${clients} clients pages/s`)}×, ` +
          `CPU per page ${ratio("CPU ms/page")}× (concurrent), ${ratio("serial CPU ms/page")}× (serial), ` +
          `Postgres CPU per page ${ratio("Postgres CPU ms/page")}× (concurrent)`,
      );
    }
  } finally {
    for (const product of running) await product.stop();
    for (const checkout of checkouts) checkout.remove();
    closeConnections();
  }
  if (cpuProfile) {
    for (const checkout of checkouts)
      console.log(
        `\nCPU profile of ${checkout.label} over its measured rounds (${join(cpuProfile, profileDirectory(checkout))}), self time by package:\n${profileByPackage(join(cpuProfile, profileDirectory(checkout)))}`,
      );
  }
  console.log(`\nload average at end: ${loadAverage()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
