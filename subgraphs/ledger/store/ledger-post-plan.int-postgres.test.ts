// ledger_post reaches every row it reads through an index, whatever the planner thought of the
// tables when the session planned it. Its statements run on generic plans cached per connection
// (force_generic_plan), made from the statistics of that moment: on a young database, a join of
// the balance events to the three customer kinds was planned as a hash join over a sequential
// scan of ledger_balance, and every later call on that connection scanned the whole table once
// per balance event (a third of Postgres's time at 32 writers; bench:ledger's "slow runs").
// The plans of every statement inside the function are read with auto_explain, at NOTICE level
// so they come back on the test's own connection. Postgres only.

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertPlatform } from "../../../test/support/deps.ts";
import { testConfig } from "../../../test/support/platform.ts";
import { creditWithHistory } from "../../../test/support/postings.ts";
import { openPrivateDatabase, type PrivateDatabase } from "../../../test/support/private-database.ts";
import { createDependencies } from "../../dependencies.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import { createLogger } from "../../shared/logger.ts";
import { ledgerPostPayload, type ScopedPosting } from "./ledger-post.ts";

/** A top-up-like credit of the platform's own balance, with its history line. */
const credit = (scope: PlatformPrincipal, amount: bigint): ScopedPosting => ({ scope, posting: creditWithHistory(scope.tenantId, amount) });

describe("ledger_post's plans (Postgres)", () => {
  let database: PrivateDatabase;
  let client: pg.Client;
  let platforms: PlatformPrincipal[];
  const plans: string[] = [];

  beforeAll(async () => {
    // A young database of its own: small tables, as when a deployment's first connections plan.
    database = await openPrivateDatabase("ledger_post_plan");
    const config = testConfig();
    const deps = createDependencies(database.db, config, createLogger(config.LOG_LEVEL, "test"));
    platforms = [await insertPlatform(deps), await insertPlatform(deps), await insertPlatform(deps)];
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    client.on("notice", (notice) => {
      if (notice.message?.includes("Query Text:")) plans.push(notice.message);
    });
    await client.query("LOAD 'auto_explain'");
    await client.query("SET auto_explain.log_min_duration = 0");
    await client.query("SET auto_explain.log_nested_statements = on");
    await client.query("SET auto_explain.log_level = notice");
  });

  afterAll(async () => {
    await client?.end();
    await database?.close();
  });

  const call = async (items: readonly ScopedPosting[]) => {
    plans.length = 0;
    await client.query("SELECT ledger_post($1::jsonb)", [JSON.stringify(ledgerPostPayload(items, false))]);
    // The function's own statements, not only the call.
    expect(plans.length).toBeGreaterThan(5);
    return plans.join("\n");
  };

  it("reads no table sequentially, for one posting or many, from its first call on a connection to later ones", async () => {
    for (let round = 0; round < 3; round++) {
      const one = await call([credit(platforms[0]!, 5n)]);
      expect(one).not.toMatch(/Seq Scan on/);
      const many = await call(platforms.map((platform, i) => credit(platform, BigInt(i + 1))));
      // The multi-posting statement that numbers balance events is among them.
      expect(many).toMatch(/WITH moved AS MATERIALIZED/);
      expect(many).not.toMatch(/Seq Scan on/);
    }
  });
});
