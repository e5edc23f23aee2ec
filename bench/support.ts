// Shared by the benchmarks: a fresh database on the DATABASE_URL server, load loops bounded in
// time, latency statistics, and the CPU time a process spent (which, unlike a rate, barely moves
// with the machine's load: the figure to compare on a shared machine).

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import { migrate } from "../prisma/migrate.ts";
import { openDatabase, type Database } from "../subgraphs/shared/db/database.ts";

export interface BenchDatabase {
  readonly url: string;
  readonly db: Database;
  drop(): Promise<void>;
}

export async function freshDatabase(serverUrl: string, poolSize: number): Promise<BenchDatabase> {
  const name = `moneygraph_bench_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize });
  await db.session((sql) => migrate(sql));
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export interface LoadResult {
  readonly operations: number;
  readonly errors: Record<string, number>;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50ms: number;
  readonly p99ms: number;
  /** CPU time (user + system) the measured process spent per operation, when one was given. */
  readonly cpuMsPerOperation?: number;
  /** CPU time of the machine's Postgres processes per operation, when asked for. */
  readonly postgresCpuMsPerOperation?: number;
}

let clockTicks: number | undefined;

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th
  // field of the line, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / clockTicks;
}

/**
 * CPU time (user + system) each process named `postgres` on this machine (a local server's
 * postmaster and backends) has used so far, in ms, by process id.
 */
export function postgresCpuMs(): Map<number, number> {
  const used = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") used.set(Number(entry), processCpuMs(Number(entry)));
    } catch {
      // Gone meanwhile.
    }
  }
  return used;
}

/** Postgres's CPU time between two readings; a backend that exited in between is not counted. */
function postgresCpuBetween(start: Map<number, number>, end: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of end) {
    const before = start.get(pid) ?? 0;
    // Less than before: the id went to a new backend meanwhile.
    total += ms >= before ? ms - before : ms;
  }
  return total;
}

/**
 * Runs `operation` from `concurrency` loops for `seconds` (after a short warm-up). With `cpuOf`
 * (a process id), also the CPU time that process spent per operation over the measured part;
 * with `postgres`, the local Postgres server's too (postgresCpuMs).
 */
export async function load(
  concurrency: number,
  seconds: number,
  operation: (worker: number, n: number) => Promise<void>,
  cpuOf?: number,
  postgres = false,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const warmupEnd = Date.now() + 1_000;
  const end = warmupEnd + seconds * 1_000;
  let measuredStart = 0;
  let cpuAtStart = 0;
  let postgresAtStart: Map<number, number> | undefined;
  const cpuTimer =
    cpuOf === undefined && !postgres
      ? undefined
      : setTimeout(() => {
          if (cpuOf !== undefined) cpuAtStart = processCpuMs(cpuOf);
          if (postgres) postgresAtStart = postgresCpuMs();
        }, 1_000);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let n = 0; Date.now() < end; n++) {
        const started = performance.now();
        try {
          await operation(worker, n);
          if (Date.now() >= warmupEnd) latencies.push(performance.now() - started);
        } catch (error) {
          const code = (error as { code?: string }).code ?? (error as Error).message.slice(0, 60);
          errors[code] = (errors[code] ?? 0) + 1;
        }
        if (!measuredStart && Date.now() >= warmupEnd) measuredStart = Date.now();
      }
    }),
  );
  clearTimeout(cpuTimer);
  const cpuMs = cpuOf === undefined || !cpuAtStart ? undefined : processCpuMs(cpuOf) - cpuAtStart;
  const postgresMs = postgresAtStart?.size ? postgresCpuBetween(postgresAtStart, postgresCpuMs()) : undefined;
  const elapsed = (Date.now() - (measuredStart || warmupEnd)) / 1_000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    operations: latencies.length,
    errors,
    seconds: Number(elapsed.toFixed(1)),
    perSecond: Math.round(latencies.length / elapsed),
    p50ms: Number(at(0.5).toFixed(2)),
    p99ms: Number(at(0.99).toFixed(2)),
    ...(cpuMs === undefined || latencies.length === 0 ? {} : { cpuMsPerOperation: Number((cpuMs / latencies.length).toFixed(3)) }),
    ...(postgresMs === undefined || latencies.length === 0
      ? {}
      : { postgresCpuMsPerOperation: Number((postgresMs / latencies.length).toFixed(3)) }),
  };
}

export function machine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "unknown"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function table(rows: Record<string, string | number>[]): string {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ");
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(columns.map((c) => String(r[c]))))].join("\n");
}
