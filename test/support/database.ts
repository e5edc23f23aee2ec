// The worker's database: the run's Postgres database when DATABASE_URL was set, otherwise one
// migrated in-memory PGlite shared by every file this worker runs. Tests never reset it: each
// creates its own platform (tenant), and tenancy keeps them apart.

import { inject } from "vitest";
import { migrate } from "../../prisma/migrate.ts";
import { openDatabase, type Database } from "../../subgraphs/shared/db/database.ts";

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
