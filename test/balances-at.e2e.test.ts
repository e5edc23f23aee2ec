// Balances at a moment and the history by created range, through the gateway: the answers,
// tenancy, refusals, and the cost of a page of accounts asking for their balances at a moment.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  BalancesAtDocument,
  BalancesDocument,
  ConnectedBalancesAtDocument,
  CreateTopupDocument,
  CreateTransferDocument,
  HistoryCreatedDocument,
} from "./generated/graphql.ts";
import { codes, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { databaseMicros, testDatabase } from "./support/database.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { testPlatform } from "./support/platform.ts";
import { walkBothWays } from "./support/paging.ts";

const key = () => randomUUID();

/**
 * A moment between two steps, as the API speaks it (milliseconds): the database's clock rounded
 * up to the millisecond, returned once that clock has passed it by a millisecond, so whatever is
 * written before the call is at or before it and whatever after is after it, whichever way a
 * millisecond column rounds.
 */
async function moment(): Promise<string> {
  const db = await testDatabase();
  const now = () => databaseMicros(db.sql);
  const ms = (await now()) / 1000n + 1n;
  await vi.waitFor(
    async () => {
      if ((await now()) < (ms + 1n) * 1000n) throw new Error("the database's clock has not passed the moment yet");
    },
    { timeout: 5_000, interval: 1 },
  );
  return new Date(Number(ms)).toISOString();
}

async function balancesAt(accountId: string, at: string | null, as: string) {
  const data = await ok(BalancesAtDocument, { id: accountId, at }, as);
  return Object.fromEntries(
    data.account!.balances.map((b) => [b.currency, { available: b.available.amount, pending: b.pending.amount, held: b.held.amount }]),
  );
}

let platform: TestTenant;
let other: TestTenant;
let seller: string;
let othersSeller: string;
const at: Record<"before" | "afterTopup" | "afterTransfer", string> = { before: "", afterTopup: "", afterTransfer: "" };

beforeAll(async () => {
  await testPlatform();
  [platform, other] = await Promise.all([newPlatform("Moments Co"), newPlatform("Other Co")]);
  [seller, othersSeller] = await Promise.all([
    insertConnectedAccount({ tenantId: platform.accountId }),
    insertConnectedAccount({ tenantId: other.accountId }),
  ]);
  at.before = await moment();
  await ok(CreateTopupDocument, { input: { accountId: platform.accountId, amount: "1000", currency: "USD" }, key: key() }, platform.key);
  at.afterTopup = await moment();
  await ok(CreateTransferDocument, { input: { destinationAccountId: seller, amount: "300", currency: "USD" }, key: key() }, platform.key);
  at.afterTransfer = await moment();
});

describe("Account.balances(at:)", () => {
  it("answers each moment with the balances then: absent before the first entry, then after each step", async () => {
    expect(await balancesAt(platform.accountId, at.before, platform.key)).toEqual({});
    expect(await balancesAt(platform.accountId, "-100000-01-01T00:00:00.000Z", platform.key)).toEqual({});
    expect(await balancesAt(platform.accountId, at.afterTopup, platform.key)).toEqual({
      USD: { available: "1000", pending: "0", held: "0" },
    });
    expect(await balancesAt(seller, at.afterTopup, platform.key)).toEqual({});
    expect(await balancesAt(platform.accountId, at.afterTransfer, platform.key)).toEqual({
      USD: { available: "700", pending: "0", held: "0" },
    });
    expect(await balancesAt(seller, at.afterTransfer, platform.key)).toEqual({ USD: { available: "300", pending: "0", held: "0" } });
  });

  it("answers now with today's balances, and no `at` as before", async () => {
    const now = await moment();
    for (const accountId of [platform.accountId, seller]) {
      const today = await balancesAt(accountId, null, platform.key);
      expect(await balancesAt(accountId, now, platform.key)).toEqual(today);
      const plain = await ok(BalancesDocument, { id: accountId }, platform.key);
      expect(plain.account!.balances.map((b) => b.available.amount)).toEqual([today["USD"]!.available]);
    }
  });

  it("refuses a moment in the future with BAD_USER_INPUT, and a malformed one", async () => {
    const future = await request(
      BalancesAtDocument,
      { id: platform.accountId, at: new Date(Date.now() + 60_000).toISOString() },
      { key: platform.key },
    );
    expect(codes(future)).toEqual(["BAD_USER_INPUT"]);
    expect(future.errors?.[0]?.message).toBe("at is in the future");
    for (const malformed of ["yesterday", "2026-13-45T00:00:00Z", ""]) {
      const result = await request(BalancesAtDocument, { id: platform.accountId, at: malformed }, { key: platform.key });
      expect(codes(result), malformed).toEqual(["BAD_USER_INPUT"]);
    }
  });

  it("keeps another tenant's account NOT_FOUND, at any moment", async () => {
    expect(codes(await request(BalancesAtDocument, { id: othersSeller, at: at.afterTransfer }, { key: platform.key }))).toEqual([
      "NOT_FOUND",
    ]);
    // The other tenant sees its own account, which had nothing then.
    expect(await balancesAt(othersSeller, at.afterTransfer, other.key)).toEqual({});
  });
});

describe("Account.balanceTransactions(created:)", () => {
  async function history(created: Record<string, string>, first = 10, after?: string | null) {
    const data = await ok(HistoryCreatedDocument, { id: platform.accountId, created, first, after: after ?? null }, platform.key);
    return data.account!.balanceTransactions;
  }

  it("filters by the created range, bounds inclusive or not as asked", async () => {
    const types = async (created: Record<string, string>) => (await history(created)).edges.map((e) => e.node.type);
    expect(await types({ gte: at.before })).toEqual(["TRANSFER", "TOPUP"]);
    expect(await types({ gte: at.before, lte: at.afterTopup })).toEqual(["TOPUP"]);
    expect(await types({ gt: at.afterTopup })).toEqual(["TRANSFER"]);
    expect(await types({ lt: at.before })).toEqual([]);
    expect(await types({ gt: at.afterTransfer })).toEqual([]);
    // A bound at a transaction's own stamp: lte keeps it, lt does not.
    const topupAt = (await history({ lte: at.afterTopup })).edges[0]!.node.createdAt as string;
    expect(await types({ lte: topupAt })).toEqual(["TOPUP"]);
    expect(await types({ lt: topupAt })).toEqual([]);
    // And by type.
    const ofType = async (type: "TOPUP" | "TRANSFER" | "PAYOUT") =>
      (
        await ok(HistoryCreatedDocument, { id: platform.accountId, created: { gte: at.before }, type }, platform.key)
      ).account!.balanceTransactions.edges.map((e) => e.node.type);
    expect(await ofType("TOPUP")).toEqual(["TOPUP"]);
    expect(await ofType("TRANSFER")).toEqual(["TRANSFER"]);
    expect(await ofType("PAYOUT")).toEqual([]);
  });

  it("pages newest first within the range", async () => {
    const page1 = await history({ gte: at.before, lte: at.afterTransfer }, 1);
    expect(page1.edges.map((e) => e.node.type)).toEqual(["TRANSFER"]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await history({ gte: at.before, lte: at.afterTransfer }, 1, page1.pageInfo.endCursor);
    expect(page2.edges.map((e) => e.node.type)).toEqual(["TOPUP"]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    // The same cursor in a range that ends before it: nothing further.
    const beyond = await history({ lte: at.afterTransfer, gt: at.afterTopup }, 1, page1.pageInfo.endCursor);
    expect(beyond.edges).toEqual([]);
    // Down and back up within the range, a page at a time.
    const range = { gte: at.before, lte: at.afterTransfer };
    const walked = await walkBothWays(
      async (args) =>
        (await ok(HistoryCreatedDocument, { id: platform.accountId, created: range, ...args }, platform.key)).account!.balanceTransactions,
      1,
    );
    expect(walked).toEqual([page1.edges[0]!.node.id, page2.edges[0]!.node.id]);
  });

  it.each([
    ["an inverted range", () => ({ gte: at.afterTransfer, lte: at.before })],
    ["an empty range at one instant", () => ({ gt: at.afterTopup, lt: at.afterTopup })],
    ["no bound", () => ({})],
  ])("refuses %s with BAD_USER_INPUT", async (_name, created) => {
    const result = await request(HistoryCreatedDocument, { id: platform.accountId, created: created() }, { key: platform.key });
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions?.["argument"]).toBe("created");
  });

  it("refuses a malformed bound and keeps another tenant's account NOT_FOUND", async () => {
    const malformed = await request(HistoryCreatedDocument, { id: platform.accountId, created: { gte: "soon" } }, { key: platform.key });
    expect(codes(malformed)).toEqual(["BAD_USER_INPUT"]);
    const foreign = await request(HistoryCreatedDocument, { id: othersSeller, created: { gte: at.before } }, { key: platform.key });
    expect(codes(foreign)).toEqual(["NOT_FOUND"]);
  });
});

describe("cost of balances at a moment for a page of accounts", () => {
  it("reads 50 accounts' balances at two moments with one statement per moment", async () => {
    const tenant = await newPlatform("Fifty Sellers");
    const sellers = await Promise.all(Array.from({ length: 50 }, () => insertConnectedAccount({ tenantId: tenant.accountId })));
    await ok(CreateTopupDocument, { input: { accountId: tenant.accountId, amount: "10000", currency: "USD" }, key: key() }, tenant.key);
    const earlier = await moment();
    for (const [i, destinationAccountId] of sellers.slice(0, 5).entries())
      await ok(CreateTransferDocument, { input: { destinationAccountId, amount: String(i + 1), currency: "USD" }, key: key() }, tenant.key);
    const later = await moment();
    await ok(ConnectedBalancesAtDocument, { first: 1, at: later, earlier }, tenant.key); // the gateway caches the key lookup

    const db = (await testPlatform()).deps!.db;
    const statements: string[] = [];
    // Background workers poll meanwhile: count the statements that read ledger entries, which
    // only the point-in-time read does (the request's other reads are of other tables).
    const stop = db.observeStatements((sql) => void (/\bledger_entry\b/.test(sql) && statements.push(sql)));
    let result;
    try {
      result = await ok(ConnectedBalancesAtDocument, { first: 100, at: later, earlier }, tenant.key);
    } finally {
      stop();
    }
    const nodes = result.viewer.connectedAccounts.edges.map((e) => e.node);
    expect(nodes).toHaveLength(50);
    const amount = (balances: { available: { amount: string } }[]) => balances[0]?.available.amount ?? null;
    const byId = new Map(nodes.map((node) => [node.id, node]));
    for (const [i, id] of sellers.entries()) {
      const node = byId.get(id)!;
      expect(amount(node.balances)).toBe(i < 5 ? String(i + 1) : null);
      expect(node.earlier).toEqual([]);
      expect(node.balances).toEqual(node.today);
    }
    expect(statements).toHaveLength(2);
  });
});
