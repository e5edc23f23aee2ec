// The bank rail worker as its own process (`npm run start:worker`), killed with SIGKILL in the
// middle of its work and restarted: every payout ends in a final state, each advanced once,
// failures credited back exactly once, and the ledger consistent. Needs Postgres (several
// processes on one database): runs when the suite runs with DATABASE_URL.
//
// It uses a database of its own on that server: the platform's workers in other suites would
// otherwise take part of the work, and the test must know the killed worker left some behind.

import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { addExternalAccount } from "../subgraphs/accounts/service/add-external-account.ts";
import { verifyLedger } from "../subgraphs/ledger/store/integrity.ts";
import { readBalances } from "../subgraphs/ledger/service/read-balances.ts";
import { createTopup } from "../subgraphs/balances/service/create-topup.ts";
import { createPayout } from "../subgraphs/payouts/service/create-payout.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { createDependencies, type Dependencies } from "../subgraphs/dependencies.ts";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { insertPlatform } from "./support/deps.ts";
import { testConfig } from "./support/platform.ts";
import { openPrivateDatabase, type PrivateDatabase } from "./support/private-database.ts";
import { spawnEntry, stopSpawned, type Spawned } from "./support/processes.ts";
import type { AccountId, Id } from "../subgraphs/shared/ids.ts";

afterEach(stopSpawned);

const USD = parseCurrency("USD")!;
const running: Spawned[] = [];
let deps: Dependencies;
let databaseUrl: string;
let database: PrivateDatabase;

beforeAll(async () => {
  database = await openPrivateDatabase("moneygraph_payouts_kill", 10);
  databaseUrl = database.url;
  const db = database.db;
  // Payouts are created an hour out; the test makes them due when the worker is up.
  const config = testConfig({ PAYOUT_STEP_MS: String(60 * 60 * 1000) });
  deps = createDependencies(db, config, createLogger(config.LOG_LEVEL, "test"));
});

afterAll(async () => {
  await Promise.all(running.map((process) => process.stop("SIGKILL")));
  await database?.close();
});

describe("the payouts worker process", () => {
  it("killed mid-batch and restarted, finishes every payout with the ledger consistent", async () => {
    // Six platforms paying out of their own balances: batches span several tenants.
    const tenants = await Promise.all(Array.from({ length: 6 }, () => insertPlatform(deps)));
    const perSeller = 100;
    const plan: { p: (typeof tenants)[number]; seller: AccountId; paid: Id<"bankAccount">; failing: Id<"bankAccount"> }[] = [];
    for (const p of tenants) {
      const seller = p.tenantId;
      await createTopup(deps, p, { accountId: seller, amount: BigInt(perSeller) * 2_000n, currency: USD }, randomUUID());
      const bank = (accountNumber: string) =>
        addExternalAccount(
          deps,
          p,
          seller,
          { country: "US", currency: "USD", accountHolderName: "Jane", routingNumber: "110000000", accountNumber },
          randomUUID(),
        ).then((b) => b.id);
      plan.push({ p, seller, paid: await bank("000123456789"), failing: await bank("000111111116") });
    }
    const payouts = await Promise.all(
      plan.flatMap(({ p, seller, paid, failing }) =>
        Array.from({ length: perSeller }, (_, i) =>
          createPayout(
            deps,
            p,
            {
              accountId: seller,
              amount: 1_000n,
              currency: USD,
              method: i % 2 ? "INSTANT" : "STANDARD",
              destinationId: i % 3 === 0 ? failing : paid,
            },
            randomUUID(),
          ),
        ),
      ),
    );
    const failing = new Set<string>(plan.map((x) => x.failing));
    // Due now, and every step as fast as the worker runs.
    await deps.db.sql.query(`UPDATE payout SET next_step_at = now(), step_ms = 0`);

    const statuses = async () => {
      const rows = await deps.db.sql.query<{ status: string; n: string }>(
        `SELECT status::text AS status, count(*) AS n FROM payout GROUP BY status`,
      );
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    };
    const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: "info", PAYOUT_STEP_MS: "0", SETTLEMENT_DELAY_MS: "0" };

    const first = spawnEntry("cmd/worker.ts", [], env);
    running.push(first);
    await first.waitFor(/worker started/);
    // Kill it as soon as it has committed something: it is then in the middle of its batches.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const s = await statuses();
      if ((s["PENDING"] ?? 0) < payouts.length) break;
      if (Date.now() > deadline) throw new Error(`the worker advanced nothing:\n${first.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    first.child.kill("SIGKILL");
    await first.exit();
    const atKill = await statuses();
    expect((atKill["PENDING"] ?? 0) + (atKill["IN_TRANSIT"] ?? 0)).toBeGreaterThan(0); // work was left
    expect((await verifyLedger(deps.db.sql)).problems).toEqual([]);

    const second = spawnEntry("cmd/worker.ts", [], env);
    running.push(second);
    await second.waitFor(/worker started/);
    const finishBy = Date.now() + 60_000;
    for (;;) {
      const s = await statuses();
      if ((s["PENDING"] ?? 0) + (s["IN_TRANSIT"] ?? 0) === 0) break;
      if (Date.now() > finishBy) throw new Error(`payouts left unfinished: ${JSON.stringify(s)}\n${second.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await second.stop("SIGTERM")).toBe(0); // clean shutdown

    const rows = await deps.db.prisma.payout.findMany();
    expect(rows).toHaveLength(payouts.length);
    for (const row of rows) expect(row.status).toBe(failing.has(row.destinationId) ? "FAILED" : "PAID");
    // Each failure credited back exactly once, and nothing else reversed.
    const reversals = await deps.db.sql.query<{ reference: string; n: string }>(
      `SELECT reference, count(*) AS n FROM ledger_transaction WHERE kind = 'PAYOUT_FAILURE' GROUP BY reference`,
    );
    const failedIds = rows
      .filter((r) => r.status === "FAILED")
      .map((r) => r.id)
      .sort();
    expect(reversals.map((r) => r.reference).sort()).toEqual(failedIds);
    expect(reversals.every((r) => Number(r.n) === 1)).toBe(true);
    // What each seller kept: funds minus what was paid (amount, plus fee for INSTANT).
    for (const { p, seller } of plan) {
      const balances = await readBalances(deps.db, p, [seller]);
      const spent = rows
        .filter((r) => r.accountId === seller && r.status === "PAID")
        .reduce((sum, r) => sum + BigInt(r.amount.toFixed()) + BigInt(r.fee.toFixed()), 0n);
      expect(balances.get(seller)).toEqual([{ currency: "USD", available: BigInt(perSeller) * 2_000n - spent, pending: 0n, held: 0n }]);
    }
    const report = await verifyLedger(deps.db.sql);
    expect(report.problems).toEqual([]);
    expect(report.transactionsChecked).toBeGreaterThan(payouts.length);
  }, 600_000);
});
