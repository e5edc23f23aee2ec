import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { usesPostgres } from "../../../test/support/database.ts";
import { testDeps, insertPlatform } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { creditWithHistory } from "../../../test/support/postings.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { reversal, type Posting } from "../domain/ledger.ts";
import { createTopup, createTransfer, settleDueTopups, startBalancesWorker } from "../../balances/api.ts";
import { verifyLedger } from "../store/integrity.ts";
import { BALANCE_EVENTS_CHANNEL, post, postScoped } from "./post.ts";
import { readBalances } from "./read-balances.ts";

const USD = parseCurrency("USD")!;
const ETH = parseCurrency("ETH")!;

describe("the ledger module", () => {
  it("keeps 18-decimal amounts exact, up to NUMERIC(38,0)", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    const wei = 10n ** 30n + 1n;
    await post(deps.db.sql, principal, [
      {
        id: newId("ledgerTransaction"),
        kind: "TEST",
        entries: [
          { accountId: principal.tenantId, currency: ETH, kind: "CRYPTO_CLEARING", amount: -wei },
          { accountId: principal.tenantId, currency: ETH, kind: "AVAILABLE", amount: wei },
        ],
      },
    ]);
    const balances = await readBalances(deps.db, principal, [principal.tenantId]);
    expect(balances.get(principal.tenantId)).toEqual([{ currency: "ETH", available: wei, pending: 0n, held: 0n }]);
  });

  it("corrects with a reversing transaction, never an edit", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    const original: Posting = {
      id: newId("ledgerTransaction"),
      kind: "ADJUSTMENT",
      entries: [
        { accountId: principal.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -500n },
        { accountId: principal.tenantId, currency: USD, kind: "AVAILABLE", amount: 500n },
      ],
    };
    await post(deps.db.sql, principal, [original]);
    await post(deps.db.sql, principal, [reversal(original, newId("ledgerTransaction"))]);
    const balances = await readBalances(deps.db, principal, [principal.tenantId]);
    expect(balances.get(principal.tenantId)).toEqual([{ currency: "USD", available: 0n, pending: 0n, held: 0n }]);
    const entries = await deps.db.prisma.ledgerEntry.count({ where: { transaction: { tenantId: principal.tenantId } } });
    expect(entries).toBe(4);
    const reversed = await deps.db.prisma.ledgerTransaction.findFirst({ where: { reversesId: original.id } });
    expect(reversed?.kind).toBe("ADJUSTMENT_REVERSAL");
  });

  it("refuses to overdraw a customer balance and writes nothing", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    const attempt = post(deps.db.sql, principal, [
      {
        id: newId("ledgerTransaction"),
        kind: "TEST",
        entries: [
          { accountId: principal.tenantId, currency: USD, kind: "AVAILABLE", amount: -1n },
          { accountId: principal.tenantId, currency: USD, kind: "FEES", amount: 1n },
        ],
      },
    ]);
    await expect(attempt).rejects.toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    expect(await deps.db.prisma.ledgerTransaction.count({ where: { tenantId: principal.tenantId } })).toBe(0);
    expect(await deps.db.prisma.balanceEvent.count({ where: { tenantId: principal.tenantId } })).toBe(0);
  });

  it("refuses an unbalanced posting before it reaches the database", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    await expect(
      post(deps.db.sql, principal, [
        {
          id: newId("ledgerTransaction"),
          kind: "TEST",
          entries: [
            { accountId: principal.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -1n },
            { accountId: principal.tenantId, currency: USD, kind: "AVAILABLE", amount: 2n },
          ],
        },
      ]),
    ).rejects.toThrow(/UNBALANCED/);
  });

  it("writes one balance event per change, with the balances after it, in order", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    const seller = await insertConnectedAccount({ tenantId: principal.tenantId });
    await createTopup(deps, principal, { accountId: principal.tenantId, amount: 1000n, currency: USD }, randomUUID());
    await createTransfer(deps, principal, { destinationAccountId: seller, amount: 300n, currency: USD }, randomUUID());
    await createTransfer(deps, principal, { destinationAccountId: seller, amount: 200n, currency: USD }, randomUUID());
    const events = await deps.db.prisma.balanceEvent.findMany({ where: { accountId: principal.tenantId }, orderBy: { seq: "asc" } });
    // The top-up is credited to pending and settled in one commit: two events, in that order.
    expect(events.map((e) => [e.available.toFixed(), e.pending.toFixed()])).toEqual([
      ["0", "1000"],
      ["1000", "0"],
      ["700", "0"],
      ["500", "0"],
    ]);
    expect(events.every((e) => e.id.startsWith("evt_") && e.balanceTransactionId?.startsWith("txn_"))).toBe(true);
    const sellerEvents = await deps.db.prisma.balanceEvent.findMany({ where: { accountId: seller }, orderBy: { seq: "asc" } });
    expect(sellerEvents.map((e) => e.available.toFixed())).toEqual(["300", "500"]);
  });
});

describe("opening ledger accounts", () => {
  // The first posting to an account, currency and kind opens its ledger account. Concurrent
  // first postings (a burst of top-ups to a new seller) must open it once and all apply.
  it("opens an account once when many first postings race for it", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    for (let round = 0; round < (usesPostgres() ? 300 : 10); round++) {
      const seller = await insertConnectedAccount({ tenantId: principal.tenantId });
      // Each in its own transaction: on the autocommit client they would share one statement.
      await Promise.all(
        Array.from({ length: 8 }, () =>
          deps.db.transaction((sql) =>
            post(sql, principal, [
              {
                id: newId("ledgerTransaction"),
                kind: "TEST",
                entries: [
                  { accountId: principal.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -5n },
                  { accountId: seller, currency: USD, kind: "AVAILABLE", amount: 5n },
                ],
              },
            ]),
          ),
        ),
      );
      expect((await readBalances(deps.db, principal, [seller])).get(seller)).toEqual([
        { currency: "USD", available: 40n, pending: 0n, held: 0n },
      ]);
      expect(await deps.db.prisma.ledgerAccount.count({ where: { accountId: seller } })).toBe(1);
    }
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });
});

describe("several postings in one call", () => {
  it("report each posting's balances, as if committed one at a time", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    const sellers = await Promise.all([0, 1, 2].map(() => insertConnectedAccount({ tenantId: principal.tenantId })));
    await createTopup(deps, principal, { accountId: principal.tenantId, amount: 1000n, currency: USD }, randomUUID());
    const at = new Date();
    await post(
      deps.db.sql,
      principal,
      sellers.map((seller, i) => ({
        id: newId("ledgerTransaction"),
        kind: "TRANSFER",
        entries: [
          { accountId: principal.tenantId, currency: USD, kind: "AVAILABLE" as const, amount: -BigInt(100 * (i + 1)) },
          { accountId: seller, currency: USD, kind: "AVAILABLE" as const, amount: BigInt(100 * (i + 1)) },
        ],
        balanceTransactions: [
          {
            id: newId("balanceTransaction"),
            accountId: principal.tenantId,
            type: "TRANSFER" as const,
            currency: USD,
            amount: -BigInt(100 * (i + 1)),
            fee: 0n,
            status: "AVAILABLE" as const,
            availableOn: at,
          },
        ],
      })),
    );
    const events = await deps.db.prisma.balanceEvent.findMany({ where: { accountId: principal.tenantId }, orderBy: { seq: "asc" } });
    expect(events.slice(2).map((e) => e.available.toFixed())).toEqual(["900", "700", "400"]);
    const btIds = await deps.db.prisma.balanceTransaction.findMany({
      where: { accountId: principal.tenantId, type: "TRANSFER" },
      orderBy: { amount: "desc" },
    });
    expect(events.slice(2).map((e) => e.balanceTransactionId)).toEqual(btIds.map((bt) => bt.id));
  });
});

describe("postings of several tenants and modes in one call", () => {
  it("keeps each tenant's and mode's balances, history and events apart", async () => {
    const deps = await testDeps();
    const a = await insertPlatform(deps);
    const b = await insertPlatform(deps);
    const aLive = { ...a, livemode: true };
    const credit = creditWithHistory;
    await postScoped(deps.db.sql, [
      { scope: a, posting: credit(a.tenantId, 100n) },
      { scope: b, posting: credit(b.tenantId, 20n) },
      { scope: aLive, posting: credit(a.tenantId, 7n) },
      { scope: a, posting: credit(a.tenantId, 1n) },
    ]);
    expect((await readBalances(deps.db, a, [a.tenantId])).get(a.tenantId)).toEqual([
      { currency: "USD", available: 101n, pending: 0n, held: 0n },
    ]);
    expect((await readBalances(deps.db, aLive, [a.tenantId])).get(a.tenantId)).toEqual([
      { currency: "USD", available: 7n, pending: 0n, held: 0n },
    ]);
    expect((await readBalances(deps.db, b, [b.tenantId])).get(b.tenantId)).toEqual([
      { currency: "USD", available: 20n, pending: 0n, held: 0n },
    ]);
    const events = await deps.db.prisma.balanceEvent.findMany({ where: { accountId: a.tenantId }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.livemode, e.available.toFixed()])).toEqual([
      [false, "100"],
      [true, "7"],
      [false, "101"],
    ]);
    expect(await deps.db.prisma.balanceTransaction.count({ where: { tenantId: b.tenantId } })).toBe(1);
    expect(await deps.db.prisma.ledgerTransaction.count({ where: { tenantId: a.tenantId, livemode: true } })).toBe(1);
    for (const principal of [a, b, aLive]) expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });

  it("is all or nothing: one tenant short of funds refuses the whole call", async () => {
    const deps = await testDeps();
    const a = await insertPlatform(deps);
    const b = await insertPlatform(deps);
    const attempt = postScoped(deps.db.sql, [
      {
        scope: a,
        posting: {
          id: newId("ledgerTransaction"),
          kind: "TEST",
          entries: [
            { accountId: a.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -5n },
            { accountId: a.tenantId, currency: USD, kind: "AVAILABLE", amount: 5n },
          ],
        },
      },
      {
        scope: b,
        posting: {
          id: newId("ledgerTransaction"),
          kind: "TEST",
          entries: [
            { accountId: b.tenantId, currency: USD, kind: "AVAILABLE", amount: -1n },
            { accountId: b.tenantId, currency: USD, kind: "FEES", amount: 1n },
          ],
        },
      },
    ]);
    await expect(attempt).rejects.toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    expect(await deps.db.prisma.ledgerTransaction.count({ where: { tenantId: { in: [a.tenantId, b.tenantId] } } })).toBe(0);
    expect(await deps.db.prisma.balanceEvent.count({ where: { tenantId: { in: [a.tenantId, b.tenantId] } } })).toBe(0);
  });
});

describe("signalling balance events", () => {
  const credit = (accountId: AccountId): Posting => ({
    id: newId("ledgerTransaction"),
    kind: "TEST",
    entries: [
      { accountId, currency: USD, kind: "TOPUP_CLEARING", amount: -3n },
      { accountId, currency: USD, kind: "AVAILABLE", amount: 3n },
    ],
  });
  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 5_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it("signals each touched account once its transaction commits, and never for a rolled-back one", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    const [committed, rolledBack, marker] = await Promise.all(
      [0, 1, 2].map(() => insertConnectedAccount({ tenantId: principal.tenantId })),
    );
    const heard: string[] = [];
    const unlisten = await deps.db.listen(BALANCE_EVENTS_CHANNEL, (payload) => heard.push(payload));
    try {
      await deps.db.transaction(async (sql) => {
        await post(sql, principal, [credit(committed!)]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(heard).not.toContain(committed);
      });
      await until(() => heard.includes(committed!), "the committed account's signal");

      await expect(
        deps.db.transaction(async (sql) => {
          await post(sql, principal, [credit(rolledBack!)]);
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      // A later commit's signal has arrived: an earlier one for the rolled-back account would have too.
      await post(deps.db.sql, principal, [credit(marker!)]);
      await until(() => heard.includes(marker!), "the marker's signal");
      expect(heard).not.toContain(rolledBack);
      expect(heard.filter((id) => id === committed)).toHaveLength(1);
    } finally {
      await unlisten();
    }
  });

  it("signals from inside the transaction when the connection cannot run work after its commit", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    const seller = await insertConnectedAccount({ tenantId: principal.tenantId });
    const heard: string[] = [];
    const unlisten = await deps.db.listen(BALANCE_EVENTS_CHANNEL, (payload) => heard.push(payload));
    try {
      await deps.db.session(async (sql) => {
        expect(sql.notifyAfterCommit).toBeUndefined();
        await post(sql, principal, [credit(seller)]);
      });
      await until(() => heard.includes(seller), "the in-transaction signal");
    } finally {
      await unlisten();
    }
  });
});

describe("settlement", () => {
  it("moves a top-up from pending to available when it falls due, even if no worker ran meanwhile", async () => {
    const deps = await testDeps({ SETTLEMENT_DELAY_MS: "60000" });
    const principal = await insertPlatform(deps);
    const topup = await createTopup(deps, principal, { accountId: principal.tenantId, amount: 4200n, currency: USD }, randomUUID());
    expect(topup.status).toBe("PENDING");
    expect((await readBalances(deps.db, principal, [principal.tenantId])).get(principal.tenantId)).toEqual([
      { currency: "USD", available: 0n, pending: 4200n, held: 0n },
    ]);

    await settleDueTopups(deps, new Date());
    expect((await deps.db.prisma.topup.findUniqueOrThrow({ where: { id: topup.id } })).status).toBe("PENDING");

    // The process was "down" for a minute: the settlement runs afterwards catch up. Other test
    // files share the database and may have due top-ups of their own ahead of this one in the
    // queue, so run batches until this one is reached (each batch settles at least one).
    const later = new Date(Date.now() + 61_000);
    let settled = await deps.db.prisma.topup.findUniqueOrThrow({ where: { id: topup.id } });
    for (let batch = 0; settled.status === "PENDING" && batch < 50; batch++) {
      expect(await settleDueTopups(deps, later)).toBeGreaterThanOrEqual(1);
      settled = await deps.db.prisma.topup.findUniqueOrThrow({ where: { id: topup.id } });
    }
    expect(settled.status).toBe("SUCCEEDED");
    expect((await deps.db.prisma.balanceTransaction.findUniqueOrThrow({ where: { id: topup.balanceTransactionId } })).status).toBe(
      "AVAILABLE",
    );
    expect((await readBalances(deps.db, principal, [principal.tenantId])).get(principal.tenantId)).toEqual([
      { currency: "USD", available: 4200n, pending: 0n, held: 0n },
    ]);
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });

  it("is done by the worker on its own, and two workers never settle one top-up twice", async () => {
    const deps = await testDeps({ SETTLEMENT_DELAY_MS: "30" });
    const principal = await insertPlatform(deps);
    const workers = [startBalancesWorker(deps, 10), startBalancesWorker(deps, 10)];
    try {
      const topups = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          createTopup(deps, principal, { accountId: principal.tenantId, amount: BigInt(i + 1), currency: USD }, randomUUID()),
        ),
      );
      const deadline = Date.now() + 20_000;
      while ((await deps.db.prisma.topup.count({ where: { id: { in: topups.map((t) => t.id) }, status: "PENDING" } })) > 0) {
        if (Date.now() > deadline) throw new Error("top-ups did not settle");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    const settlements = await deps.db.prisma.ledgerTransaction.count({ where: { tenantId: principal.tenantId, kind: "TOPUP_SETTLEMENT" } });
    expect(settlements).toBe(20);
    expect((await readBalances(deps.db, principal, [principal.tenantId])).get(principal.tenantId)).toEqual([
      { currency: "USD", available: 210n, pending: 0n, held: 0n },
    ]);
  });

  it("postpones a top-up no settlement can post, and settles every other tenant's top-ups past it", async () => {
    const deps = await testDeps({ SETTLEMENT_DELAY_MS: "30" });
    const platforms = await Promise.all([insertPlatform(deps), insertPlatform(deps)]);
    // Bad data no step can handle: a currency the ledger does not know.
    const poisonId = `tu_poison${randomUUID().replaceAll("-", "").slice(0, 20)}`;
    await deps.db.sql.query(
      `INSERT INTO topup (id, tenant_id, livemode, account_id, currency, amount, status, settles_at, balance_transaction_id)
       VALUES ($1, $2, false, $2, 'ZZZ', 5, 'PENDING', now() - interval '1 second', $3)`,
      [poisonId, platforms[0]!.tenantId, `txn_poison${randomUUID().replaceAll("-", "").slice(0, 20)}`],
    );
    const workers = [startBalancesWorker(deps, 10)];
    try {
      const topups = await Promise.all(
        [0, 1, 0, 1].map((p, i) =>
          createTopup(deps, platforms[p]!, { accountId: platforms[p]!.tenantId, amount: BigInt(i + 1), currency: USD }, randomUUID()),
        ),
      );
      const deadline = Date.now() + 30_000;
      while ((await deps.db.prisma.topup.count({ where: { id: { in: topups.map((t) => t.id) }, status: "PENDING" } })) > 0) {
        if (Date.now() > deadline) throw new Error("top-ups did not settle past the poisoned one");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const poison = await deps.db.prisma.topup.findUniqueOrThrow({ where: { id: poisonId } });
      expect(poison.status).toBe("PENDING");
      expect(poison.settlesAt.getTime()).toBeGreaterThan(Date.now() + 10_000);
      for (const [p, total] of [
        [0, 4n],
        [1, 6n],
      ] as const) {
        expect((await readBalances(deps.db, platforms[p], [platforms[p].tenantId])).get(platforms[p].tenantId)).toEqual([
          { currency: "USD", available: total, pending: 0n, held: 0n },
        ]);
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      // Other files share the database: leave no poison for their settlements.
      await deps.db.sql.query("DELETE FROM topup WHERE id = $1", [poisonId]);
    }
  });
});

describe("the integrity check", () => {
  it("notices a balance that no longer equals its entries", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    await createTopup(deps, principal, { accountId: principal.tenantId, amount: 100n, currency: USD }, randomUUID());
    expect((await verifyLedger(deps.db.sql, { accountId: principal.tenantId })).ok).toBe(true);
    const [row] = await deps.db.sql.query<{ ledger_account_id: string }>(
      "SELECT lb.ledger_account_id FROM ledger_balance lb JOIN ledger_account la ON la.id = lb.ledger_account_id WHERE la.account_id = $1 AND la.kind = 'AVAILABLE'",
      [principal.tenantId],
    );
    await deps.db.sql.query("UPDATE ledger_balance SET balance = balance + 1 WHERE ledger_account_id = $1", [row!.ledger_account_id]);
    try {
      const report = await verifyLedger(deps.db.sql, { tenantId: principal.tenantId });
      expect(report.ok).toBe(false);
      expect(report.problems.join("\n")).toMatch(/holds 101 but its entries sum to 100/);
    } finally {
      await deps.db.sql.query("UPDATE ledger_balance SET balance = balance - 1 WHERE ledger_account_id = $1", [row!.ledger_account_id]);
    }
  });

  it("notices an unbalanced transaction", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    await createTopup(deps, principal, { accountId: principal.tenantId, amount: 100n, currency: USD }, randomUUID());
    const [entry] = await deps.db.sql.query<{ id: string }>(
      "SELECT le.id::text FROM ledger_entry le JOIN ledger_transaction lt ON lt.id = le.transaction_id WHERE lt.tenant_id = $1 AND le.amount > 0 LIMIT 1",
      [principal.tenantId],
    );
    await deps.db.sql.query("UPDATE ledger_entry SET amount = amount + 1 WHERE id = $1", [entry!.id]);
    try {
      const report = await verifyLedger(deps.db.sql, { tenantId: principal.tenantId });
      expect(report.problems.join("\n")).toMatch(/sums to 1 USD/);
    } finally {
      await deps.db.sql.query("UPDATE ledger_entry SET amount = amount - 1 WHERE id = $1", [entry!.id]);
    }
  });
});
