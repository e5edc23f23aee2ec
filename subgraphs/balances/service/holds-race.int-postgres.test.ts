// Holds under concurrency on real Postgres: 200 holds racing for a seller's balance that covers
// half of them, each successful one then captured (part or all, to the platform or a connected
// account) and released at the same moment, some of them twice with the same key, while payouts
// from the seller and transfers from the platform (itself holding money) run in between.
// While it runs, the integrity check passes on every state it samples. Afterwards: every hold
// ended once (its balance transactions say so), nothing was spent twice, available + held +
// pending equals what came in less what left for every account, each account's balance
// transactions sum to its available balance, and the integrity check passes.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { addExternalAccount } from "../../accounts/api.ts";
import { readBalances, verifyLedger } from "../../ledger/api.ts";
import { createPayout } from "../../payouts/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError } from "../../shared/errors.ts";
import type { AccountId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { createTopup, createTransfer } from "../api.ts";
import { captureHold } from "./capture-hold.ts";
import { createHold } from "./create-hold.ts";
import type { HoldRecord } from "./hold-records.ts";
import { releaseHold } from "./release-hold.ts";

const USD = parseCurrency("USD")!;
const HOUR = 60 * 60 * 1000;
const random = (n: number) => Math.floor(Math.random() * n);

let deps: Dependencies;

beforeAll(async () => {
  // Payouts stay PENDING for the test's length: no bank rail worker of another suite moves them.
  deps = await testDeps({ PAYOUT_STEP_MS: String(HOUR) });
});

/**
 * The operation's record, or the code it was refused with. A key still in use by the same
 * request's twin is retried with that key until the answer is definite (the retry contract).
 */
async function attempt<T>(run: () => Promise<T>): Promise<T | string> {
  for (;;) {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError && error.code === "IDEMPOTENCY_KEY_IN_USE") continue;
      if (error instanceof AppError) return error.code;
      throw error;
    }
  }
}

async function balance(p: PlatformPrincipal, accountId: AccountId) {
  const found = (await readBalances(deps.db, p, [accountId])).get(accountId)?.find((b) => b.currency === "USD");
  return { available: found?.available ?? 0n, pending: found?.pending ?? 0n, held: found?.held ?? 0n };
}

async function history(accountId: AccountId): Promise<bigint> {
  const rows = await deps.db.prisma.balanceTransaction.findMany({ where: { accountId }, select: { amount: true } });
  return rows.reduce((sum, row) => sum + BigInt(row.amount.toFixed()), 0n);
}

describe("holds racing with captures, releases, payouts and transfers", () => {
  it("spend nothing twice and keep every balance equal to the ledger", async () => {
    const p = await insertPlatform(deps);
    const seller = await insertConnectedAccount({ tenantId: p.tenantId });
    const target = await insertConnectedAccount({ tenantId: p.tenantId });
    const bank = await addExternalAccount(
      deps,
      p,
      seller,
      { country: "US", currency: "USD", accountHolderName: "Jane Doe", routingNumber: "110000000", accountNumber: "000123456789" },
      randomUUID(),
    );
    const SELLER_FUNDS = 20_000n;
    const PLATFORM_FUNDS = 10_000n;
    await createTopup(deps, p, { accountId: seller, amount: SELLER_FUNDS, currency: USD }, randomUUID());
    await createTopup(deps, p, { accountId: p.tenantId, amount: PLATFORM_FUNDS, currency: USD }, randomUUID());

    // 200 holds of 200 on the seller: 40,000 asked of 20,000. Each one that succeeds is
    // captured and released at once (one of the two wins), a third of them with the capture sent
    // twice under one key. Payouts of the seller and holds and transfers of the platform race
    // with all of it.
    interface Outcome {
      hold: HoldRecord;
      captured: bigint;
      destination: AccountId;
      results: (HoldRecord | string)[];
    }
    const payouts: (string | { amount: bigint })[] = [];
    const transfers: (string | { amount: bigint })[] = [];

    const life = async (holder: AccountId, amount: bigint, destinations: readonly AccountId[]): Promise<Outcome | string> => {
      const hold = await attempt(() => createHold(deps, p, { accountId: holder, amount, currency: USD }, randomUUID()));
      if (typeof hold === "string") return hold;
      const captured = 1n + BigInt(random(Number(amount)));
      const destination = destinations[random(destinations.length)]!;
      const captureKey = randomUUID();
      const capture = () =>
        attempt(() =>
          captureHold(
            deps,
            p,
            hold.id,
            { amount: captured, destinationAccountId: destination === p.tenantId ? undefined : destination },
            captureKey,
          ),
        );
      const release = () => attempt(() => releaseHold(deps, p, hold.id, randomUUID()));
      const racers = random(3) === 0 ? [capture(), release(), capture()] : [capture(), release()];
      return { hold, captured, destination, results: await Promise.all(racers) };
    };

    // Interleaved: a payout of the seller, a transfer and a hold of the platform after every
    // fifth hold of the seller.
    const lives: Promise<Outcome | string>[] = [];
    const others: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      lives.push(life(seller, 200n, [p.tenantId, target]));
      if (i % 5 !== 0) continue;
      lives.push(life(p.tenantId, 200n, [seller, target]));
      others.push(
        attempt(() =>
          createPayout(
            deps,
            p,
            { accountId: seller, amount: 150n, currency: USD, method: "STANDARD", destinationId: bank.id },
            randomUUID(),
          ),
        ).then((r) => payouts.push(typeof r === "string" ? r : { amount: r.amount + r.fee })),
        attempt(() => createTransfer(deps, p, { destinationAccountId: target, amount: 150n, currency: USD }, randomUUID())).then((r) =>
          transfers.push(typeof r === "string" ? r : { amount: r.amount }),
        ),
      );
    }
    // While it runs, every committed state checks out: each balance (available, held, pending)
    // equals its entries, none is negative, no event shows a negative balance.
    let racing = true;
    let samples = 0;
    const sampler = (async () => {
      while (racing) {
        const report = await verifyLedger(deps.db.sql, { tenantId: p.tenantId });
        expect(report.problems).toEqual([]);
        samples++;
      }
    })();
    const outcomes = await Promise.all(lives);
    await Promise.all(others);
    racing = false;
    await sampler;
    expect(samples).toBeGreaterThan(0);

    // Refusals are the expected ones only.
    const refusals = [...outcomes, ...payouts, ...transfers].filter((r): r is string => typeof r === "string");
    expect(new Set(refusals)).toEqual(new Set(refusals.length > 0 ? ["INSUFFICIENT_FUNDS"] : []));
    const held = outcomes.filter((r): r is Outcome => typeof r !== "string");
    // The holds were all asked for before the first capture or release could give money back
    // (the pool serves requests in order), so the balances covered about half of them.
    expect(outcomes.filter((r) => r === "INSUFFICIENT_FUNDS").length).toBeGreaterThan(0);
    expect(held.filter((o) => o.hold.accountId === seller).length).toBeGreaterThan(0);
    const into = new Map<AccountId, bigint>();
    const capturedFrom = new Map<AccountId, bigint>();
    for (const o of held) {
      const stored = await deps.db.prisma.hold.findUniqueOrThrow({ where: { id: o.hold.id } });
      const wins = o.results.filter((r): r is HoldRecord => typeof r !== "string");
      const losers = o.results.filter((r): r is string => typeof r === "string");
      expect(new Set(losers).size <= 1 && losers.every((code) => code === "INVALID_STATE"), `${o.hold.id}: ${losers.join()}`).toBe(true);
      // One of capture and release won; a repeated capture key answers the same capture.
      expect(new Set(wins.map((w) => w.status)).size, o.hold.id).toBe(1);
      const status = wins[0]!.status;
      expect(stored.status).toBe(status);
      const bts = await deps.db.prisma.balanceTransaction.findMany({ where: { sourceId: o.hold.id } });
      expect(bts.map((bt) => bt.type).sort(), o.hold.id).toEqual(
        status === "CAPTURED" ? ["HOLD", "HOLD_CAPTURE", "HOLD_CAPTURE", "HOLD_RELEASE"] : ["HOLD", "HOLD_RELEASE"],
      );
      if (status === "CAPTURED") {
        expect(stored.capturedAmount?.toFixed()).toBe(o.captured.toString());
        into.set(o.destination, (into.get(o.destination) ?? 0n) + o.captured);
        capturedFrom.set(o.hold.accountId, (capturedFrom.get(o.hold.accountId) ?? 0n) + o.captured);
      }
    }

    const paidOut = payouts.reduce((sum, r) => sum + (typeof r === "string" ? 0n : r.amount), 0n);
    const transferred = transfers.reduce((sum, r) => sum + (typeof r === "string" ? 0n : r.amount), 0n);
    const expected = new Map<AccountId, bigint>([
      [seller, SELLER_FUNDS - paidOut - (capturedFrom.get(seller) ?? 0n) + (into.get(seller) ?? 0n)],
      [p.tenantId, PLATFORM_FUNDS - transferred - (capturedFrom.get(p.tenantId) ?? 0n) + (into.get(p.tenantId) ?? 0n)],
      [target, transferred + (into.get(target) ?? 0n)],
    ]);
    for (const [account, total] of expected) {
      const now = await balance(p, account);
      // Nothing is left held: every hold that was created was captured or released.
      expect(now.held, account).toBe(0n);
      expect(now.available + now.held + now.pending, account).toBe(total);
      expect(await history(account), account).toBe(now.available);
    }
    expect(paidOut).toBeGreaterThan(0n);
    expect(transferred).toBeGreaterThan(0n);

    const report = await verifyLedger(deps.db.sql, { tenantId: p.tenantId });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
