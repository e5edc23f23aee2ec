// Holds at the service level, on the test database: create, capture (partial, full, to the
// platform or a named account), release and expiry with their ledger postings, balance
// transactions and events; every refusal typed and writing nothing; replays; held money that a
// payout or a transfer cannot spend; expiry by the worker across a restart, once.
//
// Expiry is made due by moving a hold's expires_at into the past in the database (createHold
// refuses less than a minute ahead), never by running the worker with a future clock: the
// database is shared with other suites, whose holds must not expire.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { addExternalAccount, closeAccount } from "../../accounts/api.ts";
import { readBalances, verifyLedger } from "../../ledger/api.ts";
import { createPayout } from "../../payouts/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError } from "../../shared/errors.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { createTopup, createTransfer, startBalancesWorker } from "../api.ts";
import { captureHold } from "./capture-hold.ts";
import { createHold, type CreateHoldInput } from "./create-hold.ts";
import { expireDueHolds } from "./expire-holds.ts";
import { accountHolds, findHold, type HoldRecord } from "./hold-records.ts";
import { releaseHold } from "./release-hold.ts";
import { pageRequest } from "../../shared/pagination.ts";

const USD = parseCurrency("USD")!;
const DAY = 86_400_000;

let deps: Dependencies;

beforeAll(async () => {
  deps = await testDeps();
});

async function seller(p: PlatformPrincipal, funds: bigint, status?: "CLOSED"): Promise<AccountId> {
  const id = await insertConnectedAccount({ tenantId: p.tenantId, ...(status ? { status } : {}) });
  if (funds > 0n) await createTopup(deps, p, { accountId: id, amount: funds, currency: USD }, randomUUID());
  return id;
}

async function balance(p: PlatformPrincipal, accountId: AccountId) {
  const found = (await readBalances(deps.db, p, [accountId])).get(accountId)?.find((b) => b.currency === "USD");
  return { available: found?.available ?? 0n, pending: found?.pending ?? 0n, held: found?.held ?? 0n };
}

/** The sum of an account's balance transactions: what its available balance must be. */
async function history(accountId: AccountId): Promise<bigint> {
  const rows = await deps.db.prisma.balanceTransaction.findMany({ where: { accountId }, select: { amount: true } });
  return rows.reduce((sum, row) => sum + BigInt(row.amount.toFixed()), 0n);
}

async function typesOf(holdId: string): Promise<string[]> {
  const rows = await deps.db.prisma.balanceTransaction.findMany({ where: { sourceId: holdId }, orderBy: { id: "asc" } });
  return rows.map((row) => `${row.type} ${row.amount.toFixed()}`).sort();
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "OK";
}

/** Everything a hold could have written for a tenant. */
async function footprint(tenantId: string) {
  const [holds, ledger, history, keys, events] = await Promise.all([
    deps.db.prisma.hold.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
    deps.db.prisma.ledgerTransaction.count({ where: { tenantId } }),
    deps.db.prisma.balanceTransaction.count({ where: { tenantId } }),
    deps.db.prisma.idempotencyKey.count({ where: { scope: { startsWith: tenantId } } }),
    deps.db.prisma.balanceEvent.count({ where: { tenantId } }),
  ]);
  return { holds, ledger, history, keys, events };
}

function hold(p: PlatformPrincipal, input: Partial<CreateHoldInput> & { accountId: AccountId }, key = randomUUID()) {
  return createHold(deps, p, { amount: 1_000n, currency: USD, ...input }, key);
}

/** As if the hold's expiresAt had passed. */
async function makeDue(id: string): Promise<void> {
  await deps.db.prisma.hold.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
}

async function consistent(p: PlatformPrincipal, accounts: readonly AccountId[]): Promise<void> {
  for (const account of accounts) expect(await history(account), account).toBe((await balance(p, account)).available);
  expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
}

describe("a hold's life", () => {
  it("create moves available to held at once, with a HOLD balance transaction and an event showing held", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 5_000n);
    const created = await hold(p, { accountId: account, amount: 1_200n, description: "Room 12" });
    expect(created).toMatchObject({ status: "ACTIVE", amount: 1_200n, accountId: account, description: "Room 12", capturedAmount: null });
    expect(created.expiresAt.getTime() - created.createdAt.getTime()).toBeGreaterThanOrEqual(7 * DAY - 1_000);
    expect(created.expiresAt.getTime() - created.createdAt.getTime()).toBeLessThanOrEqual(7 * DAY + 1_000);
    expect(await findHold(deps.db.sql, p, created.id)).toEqual(created);
    expect(await balance(p, account)).toEqual({ available: 3_800n, pending: 0n, held: 1_200n });
    expect(await typesOf(created.id)).toEqual(["HOLD -1200"]);
    const [event] = await deps.db.prisma.balanceEvent.findMany({ where: { accountId: account }, orderBy: { seq: "desc" }, take: 1 });
    expect({ available: event!.available.toFixed(), held: event!.held.toFixed(), bt: event!.balanceTransactionId }).toEqual({
      available: "3800",
      held: "1200",
      bt: created.balanceTransactionId,
    });
    await consistent(p, [account]);
  });

  it("a partial capture goes to the platform by default and releases the rest, once", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 5_000n);
    const created = await hold(p, { accountId: account, amount: 1_000n });
    const captured = await captureHold(deps, p, created.id, { amount: 600n }, randomUUID());
    expect(captured).toMatchObject({ status: "CAPTURED", capturedAmount: 600n, destinationAccountId: p.tenantId });
    expect(captured.capturedAt).toEqual(captured.releasedAt);
    expect(await findHold(deps.db.sql, p, created.id)).toEqual(captured);
    expect(await balance(p, account)).toEqual({ available: 4_400n, pending: 0n, held: 0n });
    expect(await balance(p, p.tenantId)).toEqual({ available: 600n, pending: 0n, held: 0n });
    expect(await typesOf(created.id)).toEqual(["HOLD -1000", "HOLD_CAPTURE -600", "HOLD_CAPTURE 600", "HOLD_RELEASE 1000"].sort());
    // Captured once: a second capture or a release is refused and changes nothing.
    const before = await footprint(p.tenantId);
    expect(await codeOf(captureHold(deps, p, created.id, { amount: 100n }, randomUUID()))).toBe("INVALID_STATE");
    expect(await codeOf(releaseHold(deps, p, created.id, randomUUID()))).toBe("INVALID_STATE");
    expect(await footprint(p.tenantId)).toEqual(before);
    await consistent(p, [account, p.tenantId]);
  });

  it("a full capture to a named connected account; a hold on the platform's own account to one of its accounts", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 2_000n);
    const target = await seller(p, 0n);
    const created = await hold(p, { accountId: account, amount: 2_000n });
    const captured = await captureHold(deps, p, created.id, { amount: 2_000n, destinationAccountId: target }, randomUUID());
    expect(captured).toMatchObject({ status: "CAPTURED", capturedAmount: 2_000n, destinationAccountId: target });
    expect(await balance(p, account)).toEqual({ available: 0n, pending: 0n, held: 0n });
    expect(await balance(p, target)).toEqual({ available: 2_000n, pending: 0n, held: 0n });

    await createTopup(deps, p, { accountId: p.tenantId, amount: 500n, currency: USD }, randomUUID());
    const own = await hold(p, { accountId: p.tenantId, amount: 500n });
    expect(await codeOf(captureHold(deps, p, own.id, { amount: 500n }, randomUUID()))).toBe("BAD_USER_INPUT");
    await captureHold(deps, p, own.id, { amount: 300n, destinationAccountId: target }, randomUUID());
    expect(await balance(p, p.tenantId)).toEqual({ available: 200n, pending: 0n, held: 0n });
    expect(await balance(p, target)).toEqual({ available: 2_300n, pending: 0n, held: 0n });
    await consistent(p, [account, target, p.tenantId]);
  });

  it("release gives all of it back with a HOLD_RELEASE; then it is final", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 1_000n);
    const created = await hold(p, { accountId: account, amount: 700n });
    const released = await releaseHold(deps, p, created.id, randomUUID());
    expect(released).toMatchObject({ status: "RELEASED", capturedAmount: null, destinationAccountId: null });
    expect(released.releasedAt).not.toBeNull();
    expect(await findHold(deps.db.sql, p, created.id)).toEqual(released);
    expect(await balance(p, account)).toEqual({ available: 1_000n, pending: 0n, held: 0n });
    expect(await typesOf(created.id)).toEqual(["HOLD -700", "HOLD_RELEASE 700"]);
    expect(await codeOf(releaseHold(deps, p, created.id, randomUUID()))).toBe("INVALID_STATE");
    expect(await codeOf(captureHold(deps, p, created.id, { amount: 1n }, randomUUID()))).toBe("INVALID_STATE");
    await consistent(p, [account]);
  });

  it("past expiresAt it can be neither captured nor released, even before the worker ran; the worker expires it once", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 1_000n);
    const created = await hold(p, { accountId: account, amount: 400n, expiresAt: new Date(Date.now() + 2 * 60_000) });
    await makeDue(created.id);
    const before = await footprint(p.tenantId);
    expect(await codeOf(captureHold(deps, p, created.id, { amount: 1n }, randomUUID()))).toBe("INVALID_STATE");
    expect(await codeOf(releaseHold(deps, p, created.id, randomUUID()))).toBe("INVALID_STATE");
    expect(await footprint(p.tenantId)).toEqual(before);

    await expireDueHolds(deps);
    await expireDueHolds(deps);
    const expired = await findHold(deps.db.sql, p, created.id);
    expect(expired).toMatchObject({ status: "EXPIRED", capturedAmount: null });
    expect(expired.releasedAt).not.toBeNull();
    expect(await typesOf(created.id)).toEqual(["HOLD -400", "HOLD_RELEASE 400"]);
    expect(await balance(p, account)).toEqual({ available: 1_000n, pending: 0n, held: 0n });
    expect(await codeOf(releaseHold(deps, p, created.id, randomUUID()))).toBe("INVALID_STATE");
    await consistent(p, [account]);
  });

  it("lists an account's holds newest first, by status", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 1_000n);
    const a = await hold(p, { accountId: account, amount: 1n });
    const b = await hold(p, { accountId: account, amount: 2n });
    await releaseHold(deps, p, a.id, randomUUID());
    const page = pageRequest({ first: 9 });
    expect((await accountHolds(deps.db.sql, p, account, page)).map((h) => h.id)).toEqual([b.id, a.id]);
    expect((await accountHolds(deps.db.sql, p, account, page, "RELEASED")).map((h) => h.id)).toEqual([a.id]);
    expect((await accountHolds(deps.db.sql, p, account, page, "ACTIVE")).map((h) => h.id)).toEqual([b.id]);
    const other = await insertPlatform(deps);
    expect(await accountHolds(deps.db.sql, other, account, page)).toEqual([]);
  });
});

describe("held money", () => {
  it("cannot be paid out, transferred or captured twice; the account cannot be closed while it holds it", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 1_000n);
    const bank = await addExternalAccount(
      deps,
      p,
      account,
      { country: "US", currency: "USD", accountHolderName: "Jane Doe", routingNumber: "110000000", accountNumber: "000123456789" },
      randomUUID(),
    );
    const held = await hold(p, { accountId: account, amount: 800n });
    const payout = (amount: bigint) =>
      createPayout(deps, p, { accountId: account, amount, currency: USD, method: "STANDARD", destinationId: bank.id }, randomUUID());
    expect(await codeOf(payout(201n))).toBe("INSUFFICIENT_FUNDS");
    expect(await codeOf(closeAccount(deps, p, account))).toBe("INVALID_STATE");

    await createTopup(deps, p, { accountId: p.tenantId, amount: 300n, currency: USD }, randomUUID());
    await hold(p, { accountId: p.tenantId, amount: 250n });
    const target = await seller(p, 0n);
    expect(await codeOf(createTransfer(deps, p, { destinationAccountId: target, amount: 51n, currency: USD }, randomUUID()))).toBe(
      "INSUFFICIENT_FUNDS",
    );
    await createTransfer(deps, p, { destinationAccountId: target, amount: 50n, currency: USD }, randomUUID());
    expect(await codeOf(payout(200n))).toBe("OK");
    expect(await balance(p, account)).toEqual({ available: 0n, pending: 0n, held: 800n });
    await releaseHold(deps, p, held.id, randomUUID());
    expect(await balance(p, account)).toEqual({ available: 800n, pending: 0n, held: 0n });
    await consistent(p, [account, p.tenantId, target]);
  });
});

describe("refusals", () => {
  it("are typed and write nothing", async () => {
    const p = await insertPlatform(deps);
    const other = await insertPlatform(deps);
    const account = await seller(p, 1_000n);
    const closed = await seller(p, 0n, "CLOSED");
    const othersAccount = await seller(other, 1_000n);
    const active = await hold(p, { accountId: account, amount: 500n });
    const othersHold = await hold(other, { accountId: othersAccount, amount: 500n });
    const before = await footprint(p.tenantId);
    const now = Date.now();
    const creates: [Partial<CreateHoldInput> & { accountId: AccountId }, string][] = [
      [{ accountId: account, amount: 501n }, "INSUFFICIENT_FUNDS"],
      [{ accountId: account, amount: 0n }, "BAD_USER_INPUT"],
      [{ accountId: account, amount: -1n }, "BAD_USER_INPUT"],
      [{ accountId: account, amount: 10n ** 15n }, "BAD_USER_INPUT"],
      [{ accountId: account, description: "x".repeat(501) }, "BAD_USER_INPUT"],
      [{ accountId: account, expiresAt: new Date(now + 31 * DAY) }, "BAD_USER_INPUT"],
      [{ accountId: account, expiresAt: new Date(now + 30_000) }, "BAD_USER_INPUT"],
      [{ accountId: account, expiresAt: new Date(now - DAY) }, "BAD_USER_INPUT"],
      [{ accountId: closed }, "INVALID_STATE"],
      [{ accountId: othersAccount }, "NOT_FOUND"],
      [{ accountId: newId("account") }, "NOT_FOUND"],
    ];
    for (const [input, code] of creates) {
      expect(
        await codeOf(hold(p, input)),
        JSON.stringify(input, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
      ).toBe(code);
    }
    const cap = (id: string, amount: bigint, destinationAccountId?: AccountId) =>
      codeOf(captureHold(deps, p, id, { amount, destinationAccountId }, randomUUID()));
    expect(await cap(active.id, 501n)).toBe("BAD_USER_INPUT");
    expect(await cap(active.id, 0n)).toBe("BAD_USER_INPUT");
    expect(await cap(active.id, 10n, account)).toBe("BAD_USER_INPUT");
    expect(await cap(active.id, 10n, closed)).toBe("INVALID_STATE");
    expect(await cap(active.id, 10n, othersAccount)).toBe("NOT_FOUND");
    expect(await cap(active.id, 10n, other.tenantId)).toBe("NOT_FOUND");
    expect(await cap(othersHold.id, 10n)).toBe("NOT_FOUND");
    expect(await cap(newId("hold"), 10n)).toBe("NOT_FOUND");
    expect(await codeOf(releaseHold(deps, p, othersHold.id, randomUUID()))).toBe("NOT_FOUND");
    // Another mode sees none of it.
    expect(await codeOf(releaseHold(deps, { ...p, livemode: true }, active.id, randomUUID()))).toBe("NOT_FOUND");
    expect(await footprint(p.tenantId)).toEqual(before);
    expect(await balance(p, account)).toEqual({ available: 500n, pending: 0n, held: 500n });
  });

  it("replay a repeated key with the first answer and refuse the key with other parameters", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 1_000n);
    const key = randomUUID();
    const first = await hold(p, { accountId: account, amount: 300n }, key);
    expect(await hold(p, { accountId: account, amount: 300n }, key)).toEqual(first);
    expect(await codeOf(hold(p, { accountId: account, amount: 301n }, key))).toBe("IDEMPOTENCY_KEY_REUSED");

    const captureKey = randomUUID();
    const captured = await captureHold(deps, p, first.id, { amount: 100n }, captureKey);
    expect(await captureHold(deps, p, first.id, { amount: 100n }, captureKey)).toEqual(captured);
    expect(await codeOf(captureHold(deps, p, first.id, { amount: 101n }, captureKey))).toBe("IDEMPOTENCY_KEY_REUSED");

    const second = await hold(p, { accountId: account, amount: 200n });
    const releaseKey = randomUUID();
    const released = await releaseHold(deps, p, second.id, releaseKey);
    expect(await releaseHold(deps, p, second.id, releaseKey)).toEqual(released);
    expect(await codeOf(releaseHold(deps, p, first.id, releaseKey))).toBe("IDEMPOTENCY_KEY_REUSED");

    // A hold asked to expire just over a minute ahead replays once that minute is shorter.
    const soonKey = randomUUID();
    const soon = { accountId: account, amount: 10n, expiresAt: new Date(Date.now() + 60_400) };
    const early = await hold(p, soon, soonKey);
    while (Date.now() + 60_000 <= soon.expiresAt.getTime()) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await codeOf(hold(p, soon))).toBe("BAD_USER_INPUT");
    expect(await hold(p, soon, soonKey)).toEqual(early);
    await releaseHold(deps, p, early.id, randomUUID());

    expect(await typesOf(first.id)).toHaveLength(4);
    expect(await typesOf(second.id)).toHaveLength(2);
    expect(await balance(p, account)).toEqual({ available: 900n, pending: 0n, held: 0n });
    await consistent(p, [account, p.tenantId]);
  });
});

describe("expiry by the balances worker", () => {
  it("survives a restart: holds due while it ran, and while none ran, each expire once", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const holds: HoldRecord[] = [];
    for (let i = 0; i < 6; i++) holds.push(await hold(p, { accountId: account, amount: 100n + BigInt(i) }));
    const status = async () =>
      (await deps.db.prisma.hold.findMany({ where: { id: { in: holds.map((h) => h.id) } }, select: { status: true } })).map(
        (h) => h.status,
      );
    const until = async (done: () => Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error("timed out");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    const first = startBalancesWorker(deps, 1_000, 10);
    try {
      for (const h of holds.slice(0, 3)) await makeDue(h.id);
      await until(async () => (await status()).filter((s) => s === "EXPIRED").length === 3);
    } finally {
      await first.stop();
    }
    // Due while no worker runs: nothing happens until one starts again.
    for (const h of holds.slice(3)) await makeDue(h.id);
    expect((await status()).filter((s) => s === "EXPIRED")).toHaveLength(3);

    const second = startBalancesWorker(deps, 1_000, 10);
    try {
      await until(async () => (await status()).every((s) => s === "EXPIRED"));
    } finally {
      await second.stop();
    }
    for (const h of holds) expect(await typesOf(h.id)).toEqual([`HOLD -${h.amount}`, `HOLD_RELEASE ${h.amount}`]);
    expect(await balance(p, account)).toEqual({ available: 10_000n, pending: 0n, held: 0n });
    await consistent(p, [account]);
  });
});
