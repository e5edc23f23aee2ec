// The ledger's group commit (group-commit.ts): concurrent posts on the autocommit client share
// statements, and each still commits or fails on its own postings.

import { describe, expect, it } from "vitest";
import { testDeps, insertPlatform } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import type { Posting } from "../domain/ledger.ts";
import { verifyLedger } from "../store/integrity.ts";
import { MAX_IN_FLIGHT, MAX_POSTINGS } from "./group-commit.ts";
import { post } from "./post.ts";
import { readBalances } from "./read-balances.ts";

const USD = parseCurrency("USD")!;

const fund = (scope: PlatformPrincipal, amount: bigint): Posting => ({
  id: newId("ledgerTransaction"),
  kind: "TEST",
  entries: [
    { accountId: scope.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -amount },
    { accountId: scope.tenantId, currency: USD, kind: "AVAILABLE", amount },
  ],
});

const pay = (scope: PlatformPrincipal, to: AccountId, amount: bigint, id = newId("ledgerTransaction")): Posting => ({
  id,
  kind: "TEST",
  entries: [
    { accountId: scope.tenantId, currency: USD, kind: "AVAILABLE", amount: -amount },
    { accountId: to, currency: USD, kind: "AVAILABLE", amount },
  ],
});

async function available(deps: Awaited<ReturnType<typeof testDeps>>, scope: PlatformPrincipal, account: AccountId): Promise<bigint> {
  return (await readBalances(deps.db, scope, [account])).get(account)?.[0]?.available ?? 0n;
}

/** Counts the ledger_post statements sent while `fn` runs. */
async function statementsDuring(deps: Awaited<ReturnType<typeof testDeps>>, fn: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const stop = deps.db.observeStatements((sql) => void (sql.includes("ledger_post(") && count++));
  try {
    await fn();
  } finally {
    stop();
  }
  return count;
}

describe("the ledger's group commit", () => {
  it("commits concurrent posts of several tenants in shared statements", async () => {
    const deps = await testDeps();
    const [a, b] = [await insertPlatform(deps), await insertPlatform(deps)];
    const sellers = await Promise.all([a, b].map((scope) => insertConnectedAccount({ tenantId: scope.tenantId })));
    await post(deps.db.sql, a, [fund(a, 1_000n)]);
    await post(deps.db.sql, b, [fund(b, 1_000n)]);

    const calls = 50;
    const statements = await statementsDuring(deps, () =>
      Promise.all(
        Array.from({ length: calls }, (_, i) => {
          const [scope, seller] = i % 2 === 0 ? [a, sellers[0]!] : [b, sellers[1]!];
          return post(deps.db.sql, scope, [pay(scope, seller, BigInt(i + 1))]);
        }),
      ),
    );
    // The first calls go alone (nothing was in flight); the rest wait for a statement and share.
    expect(statements).toBeLessThan(calls);
    expect(statements).toBeGreaterThanOrEqual(1);
    const paid = (parity: number) =>
      Array.from({ length: calls }, (_, i) => (i % 2 === parity ? BigInt(i + 1) : 0n)).reduce((x, y) => x + y);
    expect(await available(deps, a, sellers[0]!)).toBe(paid(0));
    expect(await available(deps, b, sellers[1]!)).toBe(paid(1));
    expect(await available(deps, a, a.tenantId)).toBe(1_000n - paid(0));
    expect((await verifyLedger(deps.db.sql, { tenantId: a.tenantId })).problems).toEqual([]);
    expect((await verifyLedger(deps.db.sql, { tenantId: b.tenantId })).problems).toEqual([]);
  });

  it("refuses only the calls the balance cannot cover, and numbers the rest's events as if one at a time", async () => {
    const deps = await testDeps();
    const [short, other] = [await insertPlatform(deps), await insertPlatform(deps)];
    const seller = await insertConnectedAccount({ tenantId: short.tenantId });
    const otherSeller = await insertConnectedAccount({ tenantId: other.tenantId });
    await post(deps.db.sql, short, [fund(short, 1_000n)]);
    await post(deps.db.sql, other, [fund(other, 1_000n)]);

    // 40 calls of 40 from a balance of 1,000 (25 fit), with another platform's calls among them.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        i % 5 === 4 ? post(deps.db.sql, other, [pay(other, otherSeller, 10n)]) : post(deps.db.sql, short, [pay(short, seller, 40n)]),
      ),
    );
    const shortOutcomes = outcomes.filter((_, i) => i % 5 !== 4);
    const otherOutcomes = outcomes.filter((_, i) => i % 5 === 4);
    expect(otherOutcomes.every((o) => o.status === "fulfilled")).toBe(true);
    expect(shortOutcomes.filter((o) => o.status === "fulfilled")).toHaveLength(25);
    for (const refused of shortOutcomes.filter((o) => o.status === "rejected"))
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: "INSUFFICIENT_FUNDS" });

    expect(await available(deps, short, short.tenantId)).toBe(0n);
    expect(await available(deps, short, seller)).toBe(1_000n);
    expect(await available(deps, other, otherSeller)).toBe(100n);
    // Each committed posting has its own event, with the balance right after it.
    const events = await deps.db.prisma.balanceEvent.findMany({ where: { accountId: short.tenantId }, orderBy: { seq: "asc" } });
    expect(events.map((e) => Number(e.available))).toEqual(Array.from({ length: 26 }, (_, k) => 1_000 - 40 * k));
    expect((await verifyLedger(deps.db.sql, { tenantId: short.tenantId })).problems).toEqual([]);
  });

  it("fails a call whose data no commit can hold alone, and commits the others", async () => {
    const deps = await testDeps();
    const scope = await insertPlatform(deps);
    const seller = await insertConnectedAccount({ tenantId: scope.tenantId });
    await post(deps.db.sql, scope, [fund(scope, 1_000n)]);
    const used = newId("ledgerTransaction");
    await post(deps.db.sql, scope, [pay(scope, seller, 1n, used)]);

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => post(deps.db.sql, scope, [pay(scope, seller, 1n, i === 7 ? used : undefined)])),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i === 7 ? "rejected" : "fulfilled")));
    // A unique violation from the database, not a refusal of the caller's input.
    expect((outcomes[7] as PromiseRejectedResult).reason).not.toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    expect(await available(deps, scope, seller)).toBe(20n);
    expect((await verifyLedger(deps.db.sql, { tenantId: scope.tenantId })).problems).toEqual([]);
  });

  it("sends a call larger than a statement's share alone, whole", async () => {
    const deps = await testDeps();
    const scope = await insertPlatform(deps);
    const seller = await insertConnectedAccount({ tenantId: scope.tenantId });
    await post(deps.db.sql, scope, [fund(scope, 10_000n)]);
    const large = Array.from({ length: MAX_POSTINGS + 6 }, () => pay(scope, seller, 1n));
    const statements = await statementsDuring(deps, () =>
      Promise.all([
        // These take every statement that may run at once; the rest queue behind them.
        ...Array.from({ length: MAX_IN_FLIGHT }, () => post(deps.db.sql, scope, [pay(scope, seller, 1n)])),
        post(deps.db.sql, scope, large),
        post(deps.db.sql, scope, [pay(scope, seller, 1n)]),
        post(deps.db.sql, scope, [pay(scope, seller, 1n)]),
      ]),
    );
    // The large call alone (nothing fits beside it), then the last two together.
    expect(statements).toBe(MAX_IN_FLIGHT + 2);
    expect(await available(deps, scope, seller)).toBe(BigInt(MAX_IN_FLIGHT + MAX_POSTINGS + 8));
  });
});
