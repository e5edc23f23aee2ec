// The migrated database must be exactly what the Prisma schema describes. The expected side is
// Prisma's own reading of prisma/schema (its DDL from an empty database, via the 6.19 WebAssembly
// engine), applied to a scratch schema; the actual side is our migrations. Any difference in a
// table, column, type, nullability, default, constraint, index or enum fails.

import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { sqlFromEmpty } from "../scripts/prisma.ts";
import type { SqlClient } from "../subgraphs/shared/db/database.ts";
import { describeSchema, type Catalog } from "../test/support/catalog.ts";
import { testDatabase } from "../test/support/database.ts";

async function inScratchSchema<T>(sql: SqlClient, script: string, fn: (schema: string) => Promise<T>): Promise<T> {
  const schema = `drift_${randomBytes(4).toString("hex")}`;
  await sql.exec(`CREATE SCHEMA ${schema}`);
  try {
    await sql.exec(`SET search_path TO ${schema}; ${script}`);
    return await fn(schema);
  } finally {
    await sql.exec(`SET search_path TO public; DROP SCHEMA ${schema} CASCADE`);
  }
}

describe("schema drift", () => {
  let actual: Catalog;
  let expected: Catalog;

  beforeAll(async () => {
    const ddl = prismaDdl();
    const db = await testDatabase();
    await db.session(async (sql) => {
      actual = await describeSchema(sql, "public");
      expected = await inScratchSchema(sql, ddl, (schema) => describeSchema(sql, schema));
    });
  }, 120_000);

  it("has every model's table and column, with the schema's types, nullability and defaults", () => {
    expect(actual.columns.length).toBeGreaterThan(50);
    expect(actual.columns).toEqual(expected.columns);
  });

  it("has the schema's primary keys, unique constraints and foreign keys", () => {
    expect(actual.constraints).toEqual(expected.constraints);
  });

  it("has the schema's indexes", () => {
    expect(actual.indexes).toEqual(expected.indexes);
  });

  it("has the schema's enums", () => {
    expect(actual.enums).toEqual(expected.enums);
  });

  it("notices drift: a column the schema does not know fails the comparison", async () => {
    const db = await testDatabase();
    const drifted = await db.session((sql) =>
      inScratchSchema(sql, `${prismaDdl()} ALTER TABLE "account" ADD COLUMN "nickname" TEXT;`, (schema) => describeSchema(sql, schema)),
    );
    expect(drifted.columns).not.toEqual(expected.columns);
  }, 120_000);
});

let cachedDdl: string | undefined;
/** Prisma's DDL for the whole schema (one CLI run, ~15 s, so once per file). */
function prismaDdl(): string {
  cachedDdl ??= sqlFromEmpty().replace(/CREATE SCHEMA IF NOT EXISTS "public";/g, "");
  return cachedDdl;
}
