// A normalised description of one Postgres schema: tables, columns (type, length, precision,
// nullability, default), constraints, indexes and enums. Two schemas built by different routes
// must describe identically.

import type { SqlClient } from "../../subgraphs/shared/db/database.ts";

export interface Catalog {
  columns: string[];
  constraints: string[];
  indexes: string[];
  enums: string[];
}

export async function describeSchema(sql: SqlClient, schema: string): Promise<Catalog> {
  const strip = (text: string) => text.replaceAll(`"${schema}".`, "").replaceAll(`${schema}.`, "");
  const columns = await sql.query<Record<string, string | number | null>>(
    `SELECT table_name, column_name, data_type, udt_name, character_maximum_length, numeric_precision,
            numeric_scale, datetime_precision, is_nullable, column_default
       FROM information_schema.columns
      WHERE table_schema = $1 AND table_name <> '_prisma_migrations'
      ORDER BY table_name, column_name`,
    [schema],
  );
  const constraints = await sql.query<{ table_name: string; conname: string; contype: string; def: string }>(
    `SELECT rel.relname AS table_name, con.conname, con.contype::text AS contype, pg_get_constraintdef(con.oid) AS def
       FROM pg_constraint con
       JOIN pg_class rel ON rel.oid = con.conrelid
       JOIN pg_namespace ns ON ns.oid = rel.relnamespace
      WHERE ns.nspname = $1 AND rel.relname <> '_prisma_migrations'
      ORDER BY 1, 2`,
    [schema],
  );
  const indexes = await sql.query<{ tablename: string; indexname: string; indexdef: string }>(
    `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = $1 AND tablename <> '_prisma_migrations' ORDER BY 1, 2`,
    [schema],
  );
  const enums = await sql.query<{ typname: string; labels: string }>(
    `SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace ns ON ns.oid = t.typnamespace
      WHERE ns.nspname = $1 GROUP BY t.typname ORDER BY 1`,
    [schema],
  );
  return {
    columns: columns.map((row) =>
      strip(
        Object.values(row)
          .map((value) => String(value))
          .join(" | "),
      ),
    ),
    constraints: constraints.map((row) => strip(`${row.table_name}.${row.conname} ${row.contype} ${row.def}`)),
    indexes: indexes.map((row) => strip(`${row.tablename}.${row.indexname} ${row.indexdef}`)),
    enums: enums.map((row) => `${row.typname}: ${row.labels}`),
  };
}
