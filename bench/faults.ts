// `npm run bench:faults`: a Jepsen-style bank run. The platform runs as separate processes (four
// subgraphs, the worker, the gateway) on a database of its own on DATABASE_URL's server (created,
// then dropped). Clients move money through the gateway over HTTP (top-ups, transfers, payouts
// to paid and failing bank accounts, cancels, identical replays, conflicting reuses of a key,
// concurrent duplicates), each retrying an unknown outcome with the same key until a definite
// answer, as the README's retry contract says; two subscribers follow `balanceChanged`, resuming
// with `after`. A nemesis SIGKILLs (and restarts) the balances, payouts or gateway process or
// the worker, or cuts the database off (every backend terminated, connections refused) in turn.
// At the end the invariants are checked and the figures printed; exit code 1 on any violation.
//
//   --seconds N          how long the clients run (BENCH_SECONDS, default 120)
//   --clients N          concurrent clients (BENCH_CLIENTS, default 16)
//   --fault-every N      seconds between faults (BENCH_FAULT_EVERY, default 15)
//   --database-down-ms N how long the database refuses connections (BENCH_DATABASE_DOWN_MS, default 1000)
//   --subscribers N      graphql-ws subscribers, 0..2 (BENCH_SUBSCRIBERS, default 2)
//   --faults N           end after N faults instead, if sooner (BENCH_FAULTS, default: no limit)
//   --source             run the processes' TypeScript through tsx instead of the bundles
//                        `npm run build` makes (built first), which the image runs

import os from "node:os";
import { parseArgs } from "node:util";
import { figures } from "./faults/report.ts";
import { runFaults } from "./faults/run.ts";
import { machine } from "./support.ts";
import { buildEntries } from "../scripts/build.ts";

const serverUrl = process.env["DATABASE_URL"];
if (!serverUrl) {
  console.error("bench:faults needs DATABASE_URL (a Postgres server), e.g. postgresql://postgres@127.0.0.1:5432/postgres");
  process.exit(2);
}
const { values } = parseArgs({
  options: {
    seconds: { type: "string" },
    clients: { type: "string" },
    "fault-every": { type: "string" },
    "database-down-ms": { type: "string" },
    subscribers: { type: "string" },
    faults: { type: "string" },
    source: { type: "boolean" },
  },
});
const setting = (flag: string | undefined, env: string, fallback: number): number => {
  const value = Number(flag ?? process.env[env] ?? fallback);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`bench:faults: ${env} / flag must be a non-negative number, got ${flag ?? process.env[env]}`);
    process.exit(64);
  }
  return value;
};
const options = {
  serverUrl,
  seconds: setting(values.seconds, "BENCH_SECONDS", 120),
  clients: setting(values.clients, "BENCH_CLIENTS", 16),
  faultEveryMs: setting(values["fault-every"], "BENCH_FAULT_EVERY", 15) * 1_000,
  databaseDownMs: setting(values["database-down-ms"], "BENCH_DATABASE_DOWN_MS", 1_000),
  subscribers: Math.min(2, setting(values.subscribers, "BENCH_SUBSCRIBERS", 2)),
  faults: setting(values.faults, "BENCH_FAULTS", 0) || undefined,
  bundles: !values.source,
};

// Ctrl-C (or SIGTERM) ends the run early: the processes are stopped and the database dropped.
const interrupted = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the run`);
    interrupted.abort();
  });
}

if (options.bundles) await buildEntries();
const loadBefore = os.loadavg();
try {
  const result = await runFaults({ ...options, signal: interrupted.signal });
  const { text, violations } = figures(result);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  console.log(`\nmachine: ${machine()}; load average ${loadBefore.map((l) => l.toFixed(2)).join(", ")} before, ${load} after`);
  console.log(`processes: ${options.bundles ? "the bundles of npm run build (dist/), as the image runs them" : "TypeScript through tsx"}`);
  console.log(
    `${options.clients} clients, ${options.seconds} s, a fault every ${options.faultEveryMs / 1_000} s, database down ${options.databaseDownMs} ms per restart`,
  );
  console.log(text);
  process.exitCode = violations === 0 ? 0 : 1;
} catch (error) {
  console.error(interrupted.signal.aborted ? "interrupted" : error);
  process.exitCode = 1;
}
