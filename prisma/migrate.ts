// The project's migrator. Applies prisma/migrations/<timestamp>_<name>/migration.sql in order,
// on PGlite and Postgres alike, and records each in `_prisma_migrations` exactly as Prisma does
// (same table, checksum = sha256 of the file), so `prisma migrate deploy` on a machine with the
// native engine sees them as applied. We need our own because Prisma 7's migrate commands need
// a native schema engine that cannot be downloaded here (see README, "Migrations").
//
// After the versioned migrations it applies the routines: SQL functions kept in one checked-in
// file each (ROUTINES), written CREATE OR REPLACE, re-applied whenever the file's text changed.
// The sha256 of the applied text is the function's comment, so an unchanged file costs one
// catalog read and the schema has no bookkeeping table of ours (the drift test compares it to
// the Prisma schema).

import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlClient } from "../subgraphs/shared/db/database.ts";

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

/** Each routine's file and the function it defines (by signature, for its comment). */
const ROUTINES: readonly { readonly file: string; readonly signature: string }[] = [
  { file: "../subgraphs/ledger/sql/ledger_post.sql", signature: "ledger_post(jsonb)" },
];

/** The advisory lock Prisma's own migrate engine takes, so the two never run at once. */
const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export interface Routine {
  readonly name: string;
  /** The function's signature, e.g. ledger_post(jsonb). */
  readonly signature: string;
  readonly sql: string;
  readonly checksum: string;
}

export function readRoutines(): Routine[] {
  return ROUTINES.map(({ file, signature }) => {
    const sql = readFileSync(fileURLToPath(new URL(file, import.meta.url)), "utf8");
    return { name: basename(file), signature, sql, checksum: createHash("sha256").update(sql).digest("hex") };
  });
}

export class MigrationError extends Error {}

/**
 * Applies pending migrations, then the routines whose text changed; returns the names applied
 * (migrations, then routine files). Safe to call from several processes.
 */
export async function migrate(sql: SqlClient, migrations = readMigrations(), routines = readRoutines()): Promise<string[]> {
  await sql.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
  try {
    await sql.exec(CREATE_TABLE);
    const rows = await sql.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    const done: string[] = [];
    for (const migration of migrations) {
      const previous = applied.get(migration.name);
      if (previous) {
        if (!previous.finished_at) {
          throw new MigrationError(`migration ${migration.name} started but never finished; resolve it by hand`);
        }
        if (previous.checksum !== migration.checksum) {
          throw new MigrationError(`migration ${migration.name} was edited after it was applied`);
        }
        continue;
      }
      const id = randomUUID();
      // Each migration and its record commit together: a failure leaves no half-applied state.
      await sql
        .exec(
          `BEGIN;\n${migration.sql}\n;` +
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) ` +
            `VALUES ('${id}', '${migration.checksum}', '${migration.name.replace(/'/g, "''")}', now(), now(), 1);\nCOMMIT;`,
        )
        .catch(async (error: unknown) => {
          await sql.exec("ROLLBACK").catch(() => {});
          throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
        });
      done.push(migration.name);
    }
    for (const routine of routines) {
      const [current] = await sql.query<{ checksum: string | null }>(`SELECT obj_description(to_regprocedure($1), 'pg_proc') AS checksum`, [
        routine.signature,
      ]);
      if (current?.checksum === routine.checksum) continue;
      await sql
        .exec(`BEGIN;\n${routine.sql}\n;COMMENT ON FUNCTION ${routine.signature} IS '${routine.checksum}';\nCOMMIT;`)
        .catch(async (error: unknown) => {
          await sql.exec("ROLLBACK").catch(() => {});
          throw new MigrationError(`routine ${routine.name} failed: ${(error as Error).message}`);
        });
      done.push(routine.name);
    }
    return done;
  } finally {
    await sql.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]);
  }
}
