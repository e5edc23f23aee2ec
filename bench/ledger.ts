// `npm run bench:ledger`: transfers per second and p50/p99 latency with 32 concurrent writers,
// (a) spread over 1,000 connected accounts of 100 platforms, (b) all from one hot platform to
// its 1,000 connected accounts; through the ledger module (its `post`, and the whole
// createTransfer use case with idempotency) and through the gateway over HTTP, each use case run
// followed at once by its gateway run (the ratio of the two, printed at the end, is the figure).
//
// Needs DATABASE_URL (a Postgres server): the run creates its own database and drops it.
// BENCH_SECONDS (default 10) sets each run's measured time; BENCH_WRITERS (default 32);
// BENCH_GATEWAY=false skips the gateway runs (bench:ledger:compare compares the rest);
// BENCH_GATEWAY_WARMUP (default 10): seconds of unmeasured load per scenario on the all-in-one
// process before its measured runs, so they measure it warm;
// BENCH_POST=transaction runs each post() in a transaction of its own (one statement per commit,
// as a caller posting inside its own transaction does) instead of on the autocommit client, where
// concurrent calls share statements (the ledger's group commit);
// BENCH_BUNDLES=true: the all-in-one process runs the bundle `npm run build` makes (built first,
// into dist/), as the image does, instead of its TypeScript through tsx (as `npm start` does);
// BENCH_CPU_PROFILE=<directory>: the all-in-one process of the gateway runs writes a V8 CPU profile
// there when it stops (`node --import tsx bench/profile.ts <directory>` sums it by package). Each
// result is also a JSON line with a `scenario`, for bench/compare.ts; an integrity failure exits 1.
// Each result names the CPU time per transfer of the serving process (this one for post() and the
// use case, the all-in-one through the gateway; the gateway's clients are not in it) and of the
// machine's Postgres processes, and how many shared each commit ("per commit", from the serving
// process's own histograms over the run: post() calls per ledger_post statement of the ledger's
// group commit, transfers per batch of the transfer batcher).

import { randomBytes, randomUUID } from "node:crypto";
import { insertPlatform as createPlatformWithKey } from "../subgraphs/accounts/api.ts";
import { transferPosting, createTopup, createTransfer } from "../subgraphs/balances/api.ts";
import { verifyLedger, post } from "../subgraphs/ledger/api.ts";
import type { PlatformPrincipal } from "../subgraphs/shared/auth/principal.ts";
import { loadConfig } from "../subgraphs/shared/config.ts";
import { createDependencies, type Dependencies } from "../subgraphs/dependencies.ts";
import { newId, type AccountId } from "../subgraphs/shared/ids.ts";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { spawnEntry } from "../cmd/spawn.ts";
import { buildEntries } from "../scripts/build.ts";
import { closeConnections, post as postGraphQL, TRANSFER_MUTATION } from "./product.ts";
import { freshDatabase, load, machine, table, type LoadResult } from "./support.ts";
import { processRegistry } from "../subgraphs/shared/metrics.ts";

const USD = parseCurrency("USD")!;
const serverUrl = process.env["DATABASE_URL"];
if (!serverUrl) {
  console.error("bench:ledger needs DATABASE_URL (a Postgres server), e.g. postgresql://postgres@127.0.0.1:5432/postgres");
  process.exit(2);
}
const seconds = Number(process.env["BENCH_SECONDS"] ?? 10);
const writers = Number(process.env["BENCH_WRITERS"] ?? 32);
const viaGatewayToo = process.env["BENCH_GATEWAY"] !== "false";
const warmupSeconds = Number(process.env["BENCH_GATEWAY_WARMUP"] ?? 10);
const cpuProfile = process.env["BENCH_CPU_PROFILE"];
const postInTransaction = process.env["BENCH_POST"] === "transaction";
const bundles = process.env["BENCH_BUNDLES"] === "true";
// The all-in-one process runs in production mode, as a deployment does (and bench:dashboard and
// bench:gateway): libraries check NODE_ENV (graphql-js's type checks take a slower path outside
// production). Its keys are this process's too, so the API keys made here authenticate there.
const secrets = {
  ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
  FINGERPRINT_KEY: randomBytes(32).toString("base64"),
};

interface Platform {
  principal: PlatformPrincipal;
  secretKey: string;
  connected: AccountId[];
}

async function setup(deps: Dependencies, platforms: number, perPlatform: number): Promise<Platform[]> {
  const result: Platform[] = [];
  for (let p = 0; p < platforms; p++) {
    const { account, secretKey } = await createPlatformWithKey(deps, { displayName: `Bench ${p}`, country: "US", defaultCurrency: "USD" });
    const principal: PlatformPrincipal = { kind: "platform", tenantId: account.id, livemode: false, keyId: "bench" };
    const connected = Array.from({ length: perPlatform }, () => newId("account"));
    await deps.db.prisma.account.createMany({
      data: connected.map((id) => ({
        id,
        tenantId: account.id,
        platformId: account.id,
        livemode: false,
        type: "CONNECTED" as const,
        displayName: `Seller ${id.slice(-4)}`,
        country: "US",
        defaultCurrency: "USD",
        status: "ACTIVE" as const,
        payoutsEnabled: true,
      })),
    });
    await createTopup(deps, principal, { accountId: account.id, amount: 10n ** 13n, currency: USD }, randomUUID());
    result.push({ principal, secretKey, connected });
  }
  return result;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function viaPost(deps: Dependencies, platforms: Platform[]) {
  return async () => {
    const platform = pick(platforms);
    const postings = [
      transferPosting({
        ledgerTransactionId: newId("ledgerTransaction"),
        transferId: newId("transfer"),
        platformId: platform.principal.tenantId,
        destinationAccountId: pick(platform.connected),
        amount: 1n,
        currency: USD,
        sourceBalanceTransactionId: newId("balanceTransaction"),
        destinationBalanceTransactionId: newId("balanceTransaction"),
        at: new Date(),
      }),
    ];
    if (postInTransaction) await deps.db.transaction((sql) => post(sql, platform.principal, postings));
    else await post(deps.db.sql, platform.principal, postings);
  };
}

function viaUseCase(deps: Dependencies, platforms: Platform[]) {
  return async () => {
    const platform = pick(platforms);
    await createTransfer(
      deps,
      platform.principal,
      { destinationAccountId: pick(platform.connected), amount: 1n, currency: USD },
      randomUUID(),
    );
  };
}

/**
 * Over keep-alive node:http (bench/product.ts's client, as bench:dashboard and bench:gateway use):
 * the 32 clients share the two cores with the process they measure, and WHATWG fetch spent 0.8 ms
 * of CPU per transfer against 0.2 for this one.
 */
function viaGateway(port: number, platforms: Platform[]) {
  return async () => {
    const platform = pick(platforms);
    const body = JSON.stringify({
      query: TRANSFER_MUTATION,
      variables: { input: { destinationAccountId: pick(platform.connected), amount: "1", currency: "USD" }, key: randomUUID() },
    });
    // A failure is counted by its GraphQL error's code (else HTTP_<status>).
    await postGraphQL(port, body, { authorization: `Bearer ${platform.secretKey}` });
  };
}

/** What a commit carried, summed: a histogram's _sum and _count, from Prometheus's text. */
interface Shared {
  readonly sum: number;
  readonly count: number;
}

/** The group commit's and the transfer batcher's histograms in a process's metrics text. */
function sharedIn(text: string): { postings: Shared; transfers: Shared } {
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  const histogram = (name: string): Shared => ({ sum: value(`${name}_sum`), count: value(`${name}_count`) });
  return { postings: histogram("moneygraph_ledger_group_commit_calls"), transfers: histogram("moneygraph_transfer_batch_size") };
}

/** This process's, or the all-in-one's at `port` (its gateway serves the process's metrics). */
async function readShared(port?: number): Promise<{ postings: Shared; transfers: Shared }> {
  if (port === undefined) return sharedIn(await processRegistry.metrics());
  return sharedIn(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
}

/** Runs `run` and answers with its result and the mean of what each commit of `which` carried meanwhile. */
async function measured(
  which: "postings" | "transfers",
  run: () => Promise<LoadResult>,
  port?: number,
): Promise<LoadResult & { perCommit?: number }> {
  const before = (await readShared(port))[which];
  const result = await run();
  const after = (await readShared(port))[which];
  const commits = after.count - before.count;
  return commits > 0 ? { ...result, perCommit: Number(((after.sum - before.sum) / commits).toFixed(1)) } : result;
}

type RecordResult = (path: string, scenario: string, result: LoadResult & { perCommit?: number }) => void;

interface AllInOne {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The whole product: the all-in-one process, reached over HTTP, warmed on both scenarios. */
async function startAllInOne(databaseUrl: string, spread: Platform[], hot: Platform[]): Promise<AllInOne> {
  if (bundles) await buildEntries();
  const server = spawnEntry(
    bundles ? "dist/cmd/all-in-one.js" : "cmd/all-in-one.ts",
    [],
    {
      NODE_ENV: "production",
      ...secrets,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      SEED_DEMO: "false",
      LOG_LEVEL: "warn",
      DATABASE_POOL_SIZE: String(writers + 8),
      SETTLEMENT_DELAY_MS: "0",
      // The benchmark measures the money path, not the per-tenant request limit.
      RATE_LIMIT_PER_SECOND: "0",
    },
    cpuProfile ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfile}`] : [],
  );
  const stop = async () => {
    closeConnections();
    await server.stop("SIGTERM");
  };
  try {
    const port = Number((await server.waitFor(/Explorer\s+http:\/\/localhost:(\d+)\/graphql/))[1]);
    // A process serving for hours, not one just started: V8 keeps compiling the request path for
    // its first half minute or so (one run measured 141, 191 and then 267 transfers/s spread in
    // consecutive 6 s runs of one process, p99 1.6 s, then 0.3 s), while the in-process runs
    // go through code the benchmark process has been running since its setup.
    await load(writers, warmupSeconds, viaGateway(port, spread));
    await load(writers, warmupSeconds, viaGateway(port, hot));
    return { port, pid: server.child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function main(): Promise<void> {
  const bench = await freshDatabase(serverUrl!, writers + 8);
  const config = loadConfig(
    { SETTLEMENT_DELAY_MS: "0", LOG_LEVEL: "warn", DATABASE_POOL_SIZE: String(writers + 8), ...secrets },
    { allowGeneratedSecret: true },
  );
  const deps = createDependencies(bench.db, config, createLogger("warn", "bench"));
  const rows: Record<string, string | number>[] = [];
  const record: RecordResult = (path, scenario, result) => {
    rows.push({
      path,
      scenario,
      "transfers/s": result.perSecond,
      "p50 ms": result.p50ms,
      "p99 ms": result.p99ms,
      // The serving process: this one for post() and the use case, the all-in-one through the gateway.
      "CPU ms/op": result.cpuMsPerOperation ?? "",
      "Postgres CPU ms/op": result.postgresCpuMsPerOperation ?? "",
      "per commit": result.perCommit ?? "",
      ops: result.operations,
      errors: JSON.stringify(result.errors),
    });
    console.log(
      `${path} / ${scenario}: ${result.perSecond}/s p50 ${result.p50ms} ms p99 ${result.p99ms} ms ${JSON.stringify(result.errors)}`,
    );
    console.log(
      JSON.stringify({
        scenario: `${path} / ${scenario}`,
        "transfers/s": result.perSecond,
        "p50 ms": result.p50ms,
        "p99 ms": result.p99ms,
        ...(result.cpuMsPerOperation === undefined ? {} : { "CPU ms/op": result.cpuMsPerOperation }),
        ...(result.postgresCpuMsPerOperation === undefined ? {} : { "Postgres CPU ms/op": result.postgresCpuMsPerOperation }),
        ...(result.perCommit === undefined ? {} : { "per commit": result.perCommit }),
        errors: Object.values(result.errors).reduce((a, b) => a + b, 0),
      }),
    );
  };
  try {
    console.log(
      `machine: ${machine()}; ${writers} writers; ${seconds} s per run; the all-in-one from ${bundles ? "the bundles (dist/)" : "TypeScript through tsx"}`,
    );
    const spread = await setup(deps, 100, 10);
    const hot = await setup(deps, 1, 1_000);

    for (const [scenario, platforms] of [
      ["spread", spread],
      ["hot", hot],
    ] as const)
      record(
        "ledger module: post()",
        scenario,
        await measured("postings", () => load(writers, seconds, viaPost(deps, platforms), process.pid, true)),
      );
    // Each use case run right before the same transfers through the gateway, so that the ratio
    // of the two compares runs a few seconds apart: the database's speed drifts (the use case
    // alone has measured from 740 to about 1,800 transfers/s spread within a morning on this machine).
    const product = viaGatewayToo ? await startAllInOne(bench.url, spread, hot) : undefined;
    try {
      for (const [scenario, platforms] of [
        ["spread", spread],
        ["hot", hot],
      ] as const) {
        record(
          "use case: createTransfer()",
          scenario,
          await measured("transfers", () => load(writers, seconds, viaUseCase(deps, platforms), process.pid, true)),
        );
        if (product)
          record(
            "gateway: HTTP createTransfer",
            scenario,
            await measured("transfers", () => load(writers, seconds, viaGateway(product.port, platforms), product.pid, true), product.port),
          );
      }
    } finally {
      await product?.stop();
    }

    const report = await verifyLedger(bench.db.sql);
    console.log(
      `\nintegrity: ${report.ok ? "ok" : "FAILED"} (${report.transactionsChecked} transactions, ${report.ledgerAccountsChecked} ledger accounts)`,
    );
    if (!report.ok) {
      console.log(report.problems.slice(0, 10).join("\n"));
      process.exitCode = 1;
    }
    console.log(`\n${table(rows)}`);
    // The HTTP and GraphQL layers' cost: the same use case through the whole product, as a share of it called in-process.
    for (const scenario of ["spread", "hot"]) {
      const rate = (path: string) => Number(rows.find((row) => row["path"] === path && row["scenario"] === scenario)?.["transfers/s"]);
      const ratio = rate("gateway: HTTP createTransfer") / rate("use case: createTransfer()");
      if (Number.isFinite(ratio)) console.log(`gateway / use case, ${scenario}: ${ratio.toFixed(2)}×`);
    }
  } finally {
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
