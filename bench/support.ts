// Shared by the benchmarks: a fresh database on the DATABASE_URL server, load loops bounded in
// time, and latency statistics.

import { randomBytes } from "node:crypto";
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
}

/** Runs `operation` from `concurrency` loops for `seconds` (after a short warm-up). */
export async function load(concurrency: number, seconds: number, operation: (worker: number, n: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const warmupEnd = Date.now() + 1_000;
  const end = warmupEnd + seconds * 1_000;
  let measuredStart = 0;
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
