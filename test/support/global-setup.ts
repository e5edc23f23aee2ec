// With DATABASE_URL set, the whole run gets a database of its own on that server: created and
// migrated here, dropped at the end. Workers read its URL from `inject("databaseUrl")`.

import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate } from "../../prisma/migrate.ts";
import { openDatabase } from "../../subgraphs/shared/db/database.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const serverUrl = process.env["DATABASE_URL"];
  if (!serverUrl) {
    project.provide("databaseUrl", undefined);
    return;
  }
  const name = `moneygraph_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 2 });
  await db.session((sql) => migrate(sql));
  await db.close();
  project.provide("databaseUrl", url.toString());

  return async () => {
    const cleanup = new pg.Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  };
}
