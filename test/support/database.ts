// The worker's database: the run's Postgres database when DATABASE_URL was set, otherwise one
// migrated in-memory PGlite shared by every file this worker runs. Tests never reset it: each
// creates its own platform (tenant), and tenancy keeps them apart.

import { inject } from "vitest";
import { migrate } from "../../prisma/migrate.ts";
import { openDatabase, type Database, type SqlClient } from "../../subgraphs/shared/db/database.ts";

let shared: Promise<Database> | undefined;

export function testDatabase(): Promise<Database> {
  shared ??= (async () => {
    const url = inject("databaseUrl");
    const db = await openDatabase({ url, poolSize: 10 });
    if (!url) await db.session((sql) => migrate(sql));
    return db;
  })();
  return shared;
}

export function usesPostgres(): boolean {
  return Boolean(inject("databaseUrl"));
}

/** The database's clock_timestamp(), in microseconds since the epoch. */
export async function databaseMicros(sql: SqlClient): Promise<bigint> {
  const [row] = await sql.query<{ micros: string }>(`SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text AS micros`);
  return BigInt(row!.micros);
}

/**
 * Waits until the database's clock has passed `micros`, so that what is written next is stamped
 * after it. PGlite's clock ticks in whole milliseconds: in-process, the next statement can run
 * within the millisecond of the last one and get the same stamp.
 */
export async function untilClockPasses(sql: SqlClient, micros: bigint): Promise<void> {
  while ((await databaseMicros(sql)) <= micros) await new Promise((resolve) => setTimeout(resolve, 1));
}
