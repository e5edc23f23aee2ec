// `npm run ledger:verify` and `npm run ledger:checkpoint` as real processes, on a database of
// this file's own (the whole-ledger check must see only this file's ledger, and the test edits
// it behind the API's back): exit 0 on a clean ledger, exit 1 naming the entry after an edit.
// Runs when the suite runs with DATABASE_URL.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { post } from "../subgraphs/ledger/api.ts";
import { newId, type AccountId } from "../subgraphs/shared/ids.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { openPrivateDatabase, type PrivateDatabase } from "./support/private-database.ts";
import { spawnEntry, stopSpawned } from "./support/processes.ts";

const USD = parseCurrency("USD")!;
let database: PrivateDatabase;
let tenantId: AccountId;

beforeAll(async () => {
  database = await openPrivateDatabase("ledger_verify");
  tenantId = newId("account");
  await database.db.prisma.account.create({
    data: { id: tenantId, tenantId, type: "PLATFORM", displayName: "Verify Co", country: "US", defaultCurrency: "USD", status: "ACTIVE" },
  });
  for (const amount of [100n, 200n, 300n])
    await post(database.db.sql, { tenantId, livemode: false }, [
      {
        id: newId("ledgerTransaction"),
        kind: "TEST",
        entries: [
          { accountId: tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -amount },
          { accountId: tenantId, currency: USD, kind: "AVAILABLE", amount },
        ],
      },
    ]);
}, 120_000);

afterEach(stopSpawned);

afterAll(async () => {
  await database?.close();
});

async function run(script: string, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const spawned = spawnEntry(script, args, { DATABASE_URL: database.url });
  const code = await spawned.exit();
  return { code, output: spawned.output() };
}

describe("npm run ledger:verify", () => {
  it("exits 0 on a clean ledger with its checkpoint, and 1 naming the entry edited behind the API's back", async () => {
    // The platform's AVAILABLE chain, and one per clearing slot the three postings landed on.
    const [{ chains }] = (await database.db.sql.query<{ chains: string }>(
      "SELECT count(DISTINCT (ledger_account_id, slot))::text AS chains FROM ledger_entry",
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

    const [middle] = await database.db.sql.query<{ id: string; transaction_id: string }>(
      `SELECT le.id::text AS id, le.transaction_id FROM ledger_entry le JOIN ledger_account la ON la.id = le.ledger_account_id
        WHERE la.kind = 'AVAILABLE' ORDER BY le.created_at, le.id OFFSET 1 LIMIT 1`,
    );
    await database.db.sql.query("UPDATE ledger_entry SET amount = amount + 1 WHERE id = $1", [middle!.id]);
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
  });
});
