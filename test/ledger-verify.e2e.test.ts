// `npm run ledger:verify` and `npm run ledger:checkpoint` as real processes, on a database of
// this file's own (the whole-ledger check must see only this file's ledger, and the test edits
// it behind the API's back): exit 0 on a clean ledger, exit 1 naming the entry after an edit.
// On Postgres a private database; otherwise an embedded one in a data directory of its own,
// which the scripts open (DATA_DIR) while this process has it closed (PGlite is one process's).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../prisma/migrate.ts";
import { post } from "../subgraphs/ledger/api.ts";
import { openDatabase, type Database } from "../subgraphs/shared/db/database.ts";
import { newId, type AccountId } from "../subgraphs/shared/ids.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { usesPostgres } from "./support/database.ts";
import { openPrivateDatabase, type PrivateDatabase } from "./support/private-database.ts";
import { spawnEntry, stopSpawned } from "./support/processes.ts";

const USD = parseCurrency("USD")!;
let database: PrivateDatabase | undefined;
let dataDir: string | undefined;
let env: Record<string, string>;
let tenantId: AccountId;

/** Runs `fn` on this file's database: the private one, or the embedded one opened for the while. */
async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  if (database) return fn(database.db);
  const db = await openDatabase({ dataDir: join(dataDir!, "pglite") });
  try {
    await db.session((sql) => migrate(sql));
    return await fn(db);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  if (usesPostgres()) {
    database = await openPrivateDatabase("ledger_verify");
    env = { DATABASE_URL: database.url };
  } else {
    dataDir = mkdtempSync(join(tmpdir(), "ledger-verify-"));
    env = { DATA_DIR: dataDir };
  }
  tenantId = newId("account");
  await withDatabase((db) => seed(db));
}, 120_000);

async function seed(db: Database): Promise<void> {
  await db.prisma.account.create({
    data: { id: tenantId, tenantId, type: "PLATFORM", displayName: "Verify Co", country: "US", defaultCurrency: "USD", status: "ACTIVE" },
  });
  for (const amount of [100n, 200n, 300n])
    await post(db.sql, { tenantId, livemode: false }, [
      {
        id: newId("ledgerTransaction"),
        kind: "TEST",
        entries: [
          { accountId: tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -amount },
          { accountId: tenantId, currency: USD, kind: "AVAILABLE", amount },
        ],
      },
    ]);
}

afterEach(stopSpawned);

afterAll(async () => {
  await database?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function run(script: string, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const spawned = spawnEntry(script, args, env);
  const code = await spawned.exit();
  return { code, output: spawned.output() };
}

describe("npm run ledger:verify", () => {
  it("exits 0 on a clean ledger with its checkpoint, and 1 naming the entry edited behind the API's back", async () => {
    // The platform's AVAILABLE chain, and one per clearing slot the three postings landed on.
    const [{ chains }] = (await withDatabase((db) =>
      db.sql.query<{ chains: string }>("SELECT count(DISTINCT (ledger_account_id, slot))::text AS chains FROM ledger_entry"),
    )) as [{ chains: string }];
    const checkpoint = await run("scripts/ledger-checkpoint.ts");
    expect(checkpoint.code, checkpoint.output).toBe(0);
    expect(checkpoint.output).toMatch(new RegExp(`checkpoint lcp_\\w+ number 1: ${chains} heads, digest [0-9a-f]{64}`));
    const [, checkpointId, digest] = /checkpoint (lcp_\w+) number 1: \d+ heads, digest ([0-9a-f]{64})/.exec(checkpoint.output)!;
    const again = await run("scripts/ledger-checkpoint.ts");
    expect(again.output).toMatch(/no checkpoint: no chain moved since the last one/);

    const clean = await run("scripts/ledger-verify.ts");
    expect(clean.code, clean.output).toBe(0);
    expect(clean.output).toContain(
      `checked the whole ledger: 3 transactions, 2 ledger accounts, ${chains} chains, 6 entries, 1 checkpoints`,
    );
    expect(clean.output).toMatch(/^ok$/m);
    // A partner's receipt: the checkpoint still has the digest it was given, or not.
    const receipt = await run("scripts/ledger-verify.ts", ["--receipt", `${checkpointId}:${digest}`]);
    expect(receipt.code, receipt.output).toBe(0);
    expect(receipt.output).toContain("1 checkpoints, 1 receipts");
    const forged = await run("scripts/ledger-verify.ts", ["--receipt", `${checkpointId}:${"0".repeat(64)}`]);
    expect(forged.code, forged.output).toBe(1);
    expect(forged.output).toContain(
      `receipt: checkpoint ${checkpointId} (number 1) has digest ${digest}, not the receipt's ${"0".repeat(64)}`,
    );

    const middle = await withDatabase(async (db) => {
      const [row] = await db.sql.query<{ id: string; transaction_id: string }>(
        `SELECT le.id::text AS id, le.transaction_id FROM ledger_entry le JOIN ledger_account la ON la.id = le.ledger_account_id
          WHERE la.kind = 'AVAILABLE' ORDER BY le.created_at, le.id OFFSET 1 LIMIT 1`,
      );
      await db.sql.query("UPDATE ledger_entry SET amount = amount + 1 WHERE id = $1", [row!.id]);
      return row;
    });
    const broken = await run("scripts/ledger-verify.ts");
    expect(broken.code, broken.output).toBe(1);
    expect(broken.output).toContain(
      `breaks at entry ${middle!.id} (transaction ${middle!.transaction_id}): hash does not match its content`,
    );
    // The same, for the one account, as JSON.
    const scoped = await run("scripts/ledger-verify.ts", ["--account", tenantId, "--json"]);
    expect(scoped.code, scoped.output).toBe(1);
    const report = JSON.parse(scoped.output.slice(scoped.output.indexOf("{\n"))) as { chainBreaks: { entryId: string }[] };
    expect(report.chainBreaks.map((item) => item.entryId)).toEqual([middle!.id]);
  }, 300_000);
});
