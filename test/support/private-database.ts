// A database of a test file's own on the run's Postgres server, for tests that break the
// database (take it down, terminate its backends) or that must not share its queues: created and
// migrated on open, dropped on close. Postgres only.

import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrate } from "../../prisma/migrate.ts";
import { openDatabase, type Database } from "../../subgraphs/shared/db/database.ts";

export interface PrivateDatabase {
  readonly name: string;
  readonly url: string;
  /** A migrated pool on it, for the test's own reads and writes. */
  readonly db: Database;
  /** Gone: new connections refused and every open one cut (the test's own pool included). */
  takeDown(): Promise<void>;
  /** Back: connections accepted again. */
  bringBack(): Promise<void>;
  close(): Promise<void>;
}

/** Runs one statement on the server's maintenance connection (outside the private database). */
async function admin(statement: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
  try {
    await client.query(statement, params);
  } finally {
    await client.end();
  }
}

export async function openPrivateDatabase(prefix: string, poolSize = 5): Promise<PrivateDatabase> {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(inject("databaseUrl")!);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize });
  await db.session((sql) => migrate(sql));
  const bringBack = () => admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
  return {
    name,
    url: url.toString(),
    db,
    async takeDown() {
      await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    },
    bringBack,
    async close() {
      await bringBack().catch(() => {});
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
