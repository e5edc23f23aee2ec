// The nemesis: every `everyMs` one fault, in turn: SIGKILL the balances, payouts or gateway
// process or the worker (restarted at once, as a supervisor would), or "restart" Postgres for the
// run's database only (every backend terminated, connections refused for `databaseDownMs`; the
// server itself is shared with other work and keeps running). Each fault is timed until every
// process is ready again.

import pg from "pg";
import type { Cluster, ProcessName } from "./cluster.ts";

export type FaultKind = "kill balances" | "kill payouts" | "kill gateway" | "kill worker" | "database restart";
export const FAULT_KINDS: readonly FaultKind[] = ["kill balances", "database restart", "kill gateway", "kill payouts", "kill worker"];

export interface Fault {
  readonly kind: FaultKind;
  /** performance.now() when the fault began. */
  readonly at: number;
  /** ms from `at` until every process was ready again (undefined: not within the run). */
  readyAfterMs?: number;
}

export interface NemesisOptions {
  readonly everyMs: number;
  readonly databaseDownMs: number;
  readonly kinds?: readonly FaultKind[];
  /** Stop after this many faults, once everything is ready again and has served `afterMs` more. */
  readonly count?: number;
  readonly afterMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cuts every connection to `database` and refuses new ones for `downMs`. */
export async function restartDatabase(serverUrl: string, database: string, downMs: number): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
    await sleep(downMs);
  } finally {
    await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`).finally(() => admin.end());
  }
}

export async function untilReady(
  cluster: Cluster,
  since: number,
  interrupted?: AbortSignal,
  timeoutMs = 120_000,
): Promise<number | undefined> {
  while (!interrupted?.aborted && performance.now() - since < timeoutMs) {
    if (await cluster.ready()) return performance.now() - since;
    await sleep(100);
  }
  return undefined;
}

/** Runs faults until `signal` aborts or `count` are done (`interrupted`: the run is abandoned); returns every fault injected. */
export async function runNemesis(
  cluster: Cluster,
  database: { serverUrl: string; name: string },
  options: NemesisOptions,
  signal: AbortSignal,
  interrupted?: AbortSignal,
): Promise<Fault[]> {
  const faults: Fault[] = [];
  const kinds = options.kinds ?? FAULT_KINDS;
  let next = performance.now() + options.everyMs;
  for (let n = 0; ; n++) {
    while (!signal.aborted && performance.now() < next) await sleep(Math.min(200, next - performance.now()));
    if (signal.aborted) break;
    const fault: Fault = { kind: kinds[n % kinds.length]!, at: performance.now() };
    faults.push(fault);
    console.log(`fault ${n + 1}: ${fault.kind}`);
    if (fault.kind === "database restart") await restartDatabase(database.serverUrl, database.name, options.databaseDownMs);
    else await cluster.killAndRestart(fault.kind.slice("kill ".length) as ProcessName);
    // Timed to the end even when the run is over: the run waits for the last fault's recovery.
    fault.readyAfterMs = await untilReady(cluster, fault.at, interrupted);
    console.log(`  ready again after ${fault.readyAfterMs === undefined ? "—" : `${(fault.readyAfterMs / 1_000).toFixed(1)} s`}`);
    if (faults.length === options.count) {
      await sleep(options.afterMs ?? 3_000);
      break;
    }
    // The next fault comes `everyMs` after this one, never before everything is ready again.
    next = Math.max(fault.at + options.everyMs, performance.now() + 1_000);
  }
  return faults;
}
