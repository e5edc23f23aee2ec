// Top-ups, transfers, balances and their history through the gateway, and every way to get
// them wrong: each refusal carries its typed code and changes nothing.

import { randomUUID } from "node:crypto";
import { print } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../subgraphs/ledger/store/integrity.ts";
import {
  AccountHoldsDocument,
  BalancesDocument,
  BalanceTransactionByIdDocument,
  CaptureHoldDocument,
  CreateHoldDocument,
  CreateTopupDocument,
  CreateTransferDocument,
  HoldByIdDocument,
  ReleaseHoldDocument,
  HistoryDocument,
  TransferByIdDocument,
} from "./generated/graphql.ts";
import { codes, gatewayUrl, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { testDatabase } from "./support/database.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { testPlatform } from "./support/platform.ts";
import { walkBothWays } from "./support/paging.ts";

const key = () => randomUUID();

let platform: TestTenant;
let other: TestTenant;
let seller: string;
let eurSeller: string;
let othersSeller: string;

async function balances(accountId: string, as = platform.key) {
  const data = await ok(BalancesDocument, { id: accountId }, as);
  return Object.fromEntries(data.account!.balances.map((b) => [b.currency, { available: b.available.amount, pending: b.pending.amount }]));
}

async function topup(accountId: string, amount: string, currency = "USD", as = platform.key) {
  return ok(CreateTopupDocument, { input: { accountId, amount, currency }, key: key() }, as);
}

/** Everything a refused mutation could have touched. */
async function footprint(tenantId: string) {
  const db = await testDatabase();
  const [transfers, topups, entries, idempotency, holds] = await Promise.all([
    db.prisma.transfer.count({ where: { tenantId } }),
    db.prisma.topup.count({ where: { tenantId } }),
    db.prisma.ledgerTransaction.count({ where: { tenantId } }),
    db.prisma.idempotencyKey.count({ where: { scope: { startsWith: tenantId } } }),
    db.prisma.hold.findMany({ where: { tenantId }, select: { id: true, status: true }, orderBy: { id: "asc" } }),
  ]);
  return { transfers, topups, entries, idempotency, holds };
}

beforeAll(async () => {
  await testPlatform();
  [platform, other] = await Promise.all([newPlatform("Ledger Co"), newPlatform("Other Co")]);
  [seller, eurSeller, othersSeller] = await Promise.all([
    insertConnectedAccount({ tenantId: platform.accountId }),
    insertConnectedAccount({ tenantId: platform.accountId, defaultCurrency: "EUR" }),
    insertConnectedAccount({ tenantId: other.accountId }),
  ]);
  await topup(platform.accountId, "100000");
});

describe("the retry contract", () => {
  it("answers a key still executing elsewhere with 409, Retry-After and retryable, then the first result once it is done", async () => {
    const idempotencyKey = key();
    const input = { accountId: platform.accountId, amount: "7", currency: "USD" };
    const first = await ok(CreateTopupDocument, { input, key: idempotencyKey }, platform.key);
    // As if the first request were still running in another process: its claim, unfinished.
    const db = await testDatabase();
    const scope = `${platform.accountId}:test`;
    await db.sql.query(
      `UPDATE idempotency_key SET status = 'IN_PROGRESS', claim_token = 'elsewhere', locked_until = now() + interval '1 hour'
        WHERE scope = $1 AND key = $2`,
      [scope, idempotencyKey],
    );
    const response = await fetch(await gatewayUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${platform.key}` },
      body: JSON.stringify({ query: print(CreateTopupDocument), variables: { input, key: idempotencyKey } }),
    });
    const body = (await response.json()) as { data: unknown; errors: { extensions: { code: string; retryable?: boolean } }[] };
    expect(response.status).toBe(409);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(body.data).toBeNull();
    expect(body.errors.map((e) => e.extensions)).toEqual([
      { code: "IDEMPOTENCY_KEY_IN_USE", retryable: true, requestId: expect.any(String) },
    ]);

    // Done at last: the same request gets the first result, a definite answer without `retryable`.
    await db.sql.query(`UPDATE idempotency_key SET status = 'COMPLETED' WHERE scope = $1 AND key = $2`, [scope, idempotencyKey]);
    const replay = await request(CreateTopupDocument, { input, key: idempotencyKey }, { key: platform.key });
    expect(replay.status).toBe(200);
    expect(replay.data?.createTopup.id).toBe(first.createTopup.id);
  });
});

describe("top-ups", () => {
  it("are refused to a live-mode key with FORBIDDEN: no funding rail is connected, so no money from nothing", async () => {
    const before = await footprint(platform.accountId);
    const balancesBefore = await balances(platform.accountId);
    for (const amount of ["1", "1000000000000"]) {
      const result = await request(
        CreateTopupDocument,
        { input: { accountId: platform.accountId, amount, currency: "USD" }, key: key() },
        { key: platform.liveKey },
      );
      expect(codes(result)).toEqual(["FORBIDDEN"]);
      expect(result.errors?.[0]?.message).toMatch(/test mode only/);
    }
    // Nothing stored in either mode, and the live balance is still empty.
    expect(await footprint(platform.accountId)).toEqual(before);
    expect(await balances(platform.accountId)).toEqual(balancesBefore);
    expect(await balances(platform.accountId, platform.liveKey)).toEqual({});
  });

  it("credit the account and, with no settlement delay, make the funds available at once", async () => {
    const target = await insertConnectedAccount({ tenantId: platform.accountId });
    const data = await topup(target, "2550");
    expect(data.createTopup).toMatchObject({
      status: "SUCCEEDED",
      amount: { amount: "2550", currency: "USD", decimal: "25.50" },
      account: { id: target },
      balanceTransaction: { type: "TOPUP", status: "AVAILABLE", amount: { amount: "2550" }, net: { amount: "2550" } },
    });
    expect(await balances(target)).toEqual({ USD: { available: "2550", pending: "0" } });
  });
});

describe("transfers", () => {
  it("move available funds from the platform to a connected account, with history on both sides", async () => {
    const before = await balances(platform.accountId);
    const data = await ok(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "1234", currency: "USD" }, key: key() },
      platform.key,
    );
    const transfer = data.createTransfer;
    expect(transfer).toMatchObject({
      amount: { amount: "1234", currency: "USD" },
      source: { id: platform.accountId },
      destination: { id: seller },
      balanceTransaction: { type: "TRANSFER", amount: { amount: "-1234" } },
      destinationBalanceTransaction: { type: "TRANSFER", amount: { amount: "1234" } },
    });
    expect(transfer.destination.displayName).toMatch(/^Connected /); // resolved by the accounts subgraph
    const after = await balances(platform.accountId);
    expect(BigInt(after["USD"]!.available)).toBe(BigInt(before["USD"]!.available) - 1234n);
    expect((await balances(seller))["USD"]!.available).toBe("1234");

    const history = await ok(HistoryDocument, { id: seller, first: 10 }, platform.key);
    expect(history.account!.balanceTransactions.edges[0]!.node).toMatchObject({
      type: "TRANSFER",
      sourceId: transfer.id,
      amount: { amount: "1234" },
    });
    expect((await ok(TransferByIdDocument, { id: transfer.id }, platform.key)).transfer).toMatchObject({
      id: transfer.id,
      destination: { id: seller },
    });
    const bt = await ok(BalanceTransactionByIdDocument, { id: transfer.balanceTransaction.id }, platform.key);
    expect(bt.balanceTransaction).toMatchObject({ type: "TRANSFER", amount: { amount: "-1234" } });
  });

  it("replays the first result for a repeated idempotency key, and refuses the key with other parameters", async () => {
    const k = key();
    const input = { destinationAccountId: seller, amount: "10", currency: "USD" };
    const first = await ok(CreateTransferDocument, { input, key: k }, platform.key);
    const before = await footprint(platform.accountId);
    const again = await ok(CreateTransferDocument, { input, key: k }, platform.key);
    expect(again.createTransfer.id).toBe(first.createTransfer.id);
    expect(await footprint(platform.accountId)).toEqual(before);
    const changed = await request(CreateTransferDocument, { input: { ...input, amount: "11" }, key: k }, { key: platform.key });
    expect(codes(changed)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await footprint(platform.accountId)).toEqual(before);
  });

  it("pages through history newest first", async () => {
    const target = await insertConnectedAccount({ tenantId: platform.accountId });
    for (const amount of ["1", "2", "3"])
      await ok(CreateTransferDocument, { input: { destinationAccountId: target, amount, currency: "USD" }, key: key() }, platform.key);
    const page1 = await ok(HistoryDocument, { id: target, first: 2 }, platform.key);
    const conn1 = page1.account!.balanceTransactions;
    expect(conn1.edges.map((e) => e.node.amount.amount)).toEqual(["3", "2"]);
    expect(conn1.pageInfo.hasNextPage).toBe(true);
    const page2 = await ok(HistoryDocument, { id: target, first: 2, after: conn1.pageInfo.endCursor }, platform.key);
    expect(page2.account!.balanceTransactions.edges.map((e) => e.node.amount.amount)).toEqual(["1"]);
    expect(page2.account!.balanceTransactions.pageInfo.hasNextPage).toBe(false);
  });
});

describe("refusals change nothing", () => {
  const transferCases: [string, Record<string, unknown>, string][] = [
    ["zero", { amount: "0" }, "BAD_USER_INPUT"],
    ["negative", { amount: "-5" }, "BAD_USER_INPUT"],
    ["fractional", { amount: "1.5" }, "BAD_USER_INPUT"],
    ["exponent", { amount: "1e3" }, "BAD_USER_INPUT"],
    ["a JSON float", { amount: 1.5 }, "BAD_USER_INPUT"],
    ["a JSON number beyond 2^53", { amount: 2 ** 60 }, "BAD_USER_INPUT"],
    ["beyond NUMERIC(38,0)", { amount: "1" + "0".repeat(38) }, "BAD_USER_INPUT"],
    ["beyond one operation's cap", { amount: "100000000000001" }, "BAD_USER_INPUT"],
    ["with whitespace", { amount: " 100" }, "BAD_USER_INPUT"],
    ["an unknown currency", { currency: "XYZ" }, "BAD_USER_INPUT"],
    ["a lower-case currency", { currency: "usd" }, "BAD_USER_INPUT"],
    ["more than the platform holds", { amount: "99999999999" }, "INSUFFICIENT_FUNDS"],
  ];

  it.each(transferCases)("a transfer of %s", async (_what, change, code) => {
    const before = await footprint(platform.accountId);
    const balancesBefore = await balances(platform.accountId);
    const result = await request(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "100", currency: "USD", ...change }, key: key() },
      { key: platform.key },
    );
    expect(codes(result)).toEqual([code]);
    expect(result.data ?? null).toBeNull();
    expect(await footprint(platform.accountId)).toEqual(before);
    expect(await balances(platform.accountId)).toEqual(balancesBefore);
  });

  it.each([
    ["another tenant's connected account", () => othersSeller, "USD", "NOT_FOUND"],
    ["an unknown account", () => "acct_nope000000000000000000", "USD", "NOT_FOUND"],
    ["the platform itself", () => platform.accountId, "USD", "BAD_USER_INPUT"],
    ["a connected account in another currency", () => eurSeller, "USD", "CURRENCY_MISMATCH"],
  ])("a transfer to %s", async (_what, destination, currency, code) => {
    const before = await footprint(platform.accountId);
    const result = await request(
      CreateTransferDocument,
      { input: { destinationAccountId: destination(), amount: "100", currency }, key: key() },
      { key: platform.key },
    );
    expect(codes(result)).toEqual([code]);
    expect(await footprint(platform.accountId)).toEqual(before);
  });

  it("a transfer to a closed account", async () => {
    const closed = await insertConnectedAccount({ tenantId: platform.accountId, status: "CLOSED" });
    const before = await footprint(platform.accountId);
    const result = await request(
      CreateTransferDocument,
      { input: { destinationAccountId: closed, amount: "100", currency: "USD" }, key: key() },
      { key: platform.key },
    );
    expect(codes(result)).toEqual(["INVALID_STATE"]);
    expect(await footprint(platform.accountId)).toEqual(before);
  });

  it.each([
    ["an empty idempotency key", ""],
    ["a 256-character idempotency key", "k".repeat(256)],
  ])("a transfer with %s", async (_what, idempotencyKey) => {
    const before = await footprint(platform.accountId);
    const result = await request(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "1", currency: "USD" }, key: idempotencyKey },
      { key: platform.key },
    );
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(await footprint(platform.accountId)).toEqual(before);
  });

  it("a transfer without an idempotency key", async () => {
    const result = await request(
      'mutation { createTransfer(input: { destinationAccountId: "x", amount: "1", currency: "USD" }) { id } }',
      undefined,
      { key: platform.key },
    );
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
  });

  it.each([
    ["crypto", { currency: "BTC" }, "BAD_USER_INPUT"],
    ["zero", { amount: "0" }, "BAD_USER_INPUT"],
    ["another tenant's account", { accountId: "OTHER" }, "NOT_FOUND"],
  ])("a top-up of %s", async (_what, change, code) => {
    const before = await footprint(platform.accountId);
    const input = { accountId: seller, amount: "100", currency: "USD", ...change };
    if (input.accountId === "OTHER") input.accountId = othersSeller;
    const result = await request(CreateTopupDocument, { input, key: key() }, { key: platform.key });
    expect(codes(result)).toEqual([code]);
    expect(await footprint(platform.accountId)).toEqual(before);
  });

  it("reading another tenant's balances or history", async () => {
    expect(codes(await request(BalancesDocument, { id: othersSeller }, { key: platform.key }))).toEqual(["NOT_FOUND"]);
    expect(codes(await request(HistoryDocument, { id: othersSeller }, { key: platform.key }))).toEqual(["NOT_FOUND"]);
  });

  it("leaves the tenant's ledger consistent", async () => {
    const db = await testDatabase();
    const report = await verifyLedger(db.sql, { tenantId: platform.accountId });
    expect(report.problems).toEqual([]);
    expect(report.transactionsChecked).toBeGreaterThan(3);
  });
});

describe("holds", () => {
  let holder: string;
  let othersHold: string;

  beforeAll(async () => {
    holder = await insertConnectedAccount({ tenantId: platform.accountId });
    await topup(holder, "10000");
    const othersHolder = await insertConnectedAccount({ tenantId: other.accountId });
    await topup(othersHolder, "1000", "USD", other.key);
    othersHold = (
      await ok(CreateHoldDocument, { input: { accountId: othersHolder, amount: "100", currency: "USD" }, key: key() }, other.key)
    ).createHold.id;
  });

  async function held(accountId: string) {
    const data = await ok(AccountHoldsDocument, { id: accountId }, platform.key);
    const usd = data.account!.balances.find((b) => b.currency === "USD");
    return { available: usd?.available.amount, held: usd?.held.amount };
  }

  it("reserve, capture in part to the platform and release, shown in balances, lists and hold(id)", async () => {
    const before = await held(holder);
    const platformBefore = (await balances(platform.accountId))["USD"]!.available;
    const k = key();
    const input = { accountId: holder, amount: "1500", currency: "USD", description: "Deposit" };
    const created = (await ok(CreateHoldDocument, { input, key: k }, platform.key)).createHold;
    expect(created).toMatchObject({
      status: "ACTIVE",
      amount: { amount: "1500", currency: "USD" },
      account: { id: holder },
      capturedAmount: null,
    });
    expect((await ok(CreateHoldDocument, { input, key: k }, platform.key)).createHold.id).toBe(created.id); // replay
    expect(await held(holder)).toEqual({ available: `${BigInt(before.available!) - 1500n}`, held: `${BigInt(before.held!) + 1500n}` });

    const captured = (await ok(CaptureHoldDocument, { id: created.id, amount: "1000", key: key() }, platform.key)).captureHold;
    expect(captured).toMatchObject({ status: "CAPTURED", capturedAmount: { amount: "1000" }, destination: { id: platform.accountId } });
    expect(captured.capturedAt).not.toBeNull();
    expect(await held(holder)).toEqual({ available: `${BigInt(before.available!) - 1000n}`, held: before.held });
    expect((await balances(platform.accountId))["USD"]!.available).toBe(`${BigInt(platformBefore) + 1000n}`);

    const second = (await ok(CreateHoldDocument, { input: { ...input, amount: "200" }, key: key() }, platform.key)).createHold;
    const released = (await ok(ReleaseHoldDocument, { id: second.id, key: key() }, platform.key)).releaseHold;
    expect(released).toMatchObject({ status: "RELEASED", capturedAmount: null, destination: null });
    expect((await ok(HoldByIdDocument, { id: second.id }, platform.key)).hold).toEqual(released);

    const list = async (status?: "CAPTURED" | "RELEASED") =>
      (await ok(AccountHoldsDocument, { id: holder, status }, platform.key)).account!.holds.edges.map((e) => e.node.id);
    expect((await list()).slice(0, 2)).toEqual([second.id, created.id]);
    expect(await list("RELEASED")).toContain(second.id);
    expect(await list("RELEASED")).not.toContain(created.id);
    expect(await list("CAPTURED")).toContain(created.id);
    const walked = await walkBothWays(
      async (args) => (await ok(AccountHoldsDocument, { id: holder, ...args }, platform.key)).account!.holds,
      2,
    );
    expect(walked.slice(0, 2)).toEqual([second.id, created.id]);
    const createdIn = async (range: object) =>
      (await ok(AccountHoldsDocument, { id: holder, created: range }, platform.key)).account!.holds.edges.map((e) => e.node.id);
    expect(await createdIn({ gt: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect((await createdIn({ lte: new Date(Date.now() + 60_000).toISOString() })).slice(0, 2)).toEqual([second.id, created.id]);
  });

  // The bad-input matrix of transfers, for createHold.
  it.each([
    ...(
      [
        ["zero", { amount: "0" }],
        ["negative", { amount: "-5" }],
        ["fractional", { amount: "1.5" }],
        ["exponent", { amount: "1e3" }],
        ["a JSON float", { amount: 1.5 }],
        ["a JSON number beyond 2^53", { amount: 2 ** 60 }],
        ["beyond NUMERIC(38,0)", { amount: "1" + "0".repeat(38) }],
        ["beyond one operation's cap", { amount: "100000000000001" }],
        ["with whitespace", { amount: " 100" }],
        ["an unknown currency", { currency: "XYZ" }],
        ["a lower-case currency", { currency: "usd" }],
        ["an expiry beyond the cap", { expiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }],
        ["an expiry in the past", { expiresAt: "2020-01-01T00:00:00.000Z" }],
        ["an expiry that is not a date", { expiresAt: "tomorrow" }],
        ["a 501-character description", { description: "x".repeat(501) }],
      ] as const
    ).map(([what, change]) => [what, change, "BAD_USER_INPUT"] as const),
    ["more than the account holds", { amount: "99999999999" }, "INSUFFICIENT_FUNDS"],
    ["another tenant's account", { accountId: "OTHER" }, "NOT_FOUND"],
    ["an unknown account", { accountId: "acct_nope000000000000000000" }, "NOT_FOUND"],
  ] as const)("a hold of %s", async (_what, change, code) => {
    const before = await footprint(platform.accountId);
    const balancesBefore = await balances(holder);
    const input: Record<string, unknown> = { accountId: holder, amount: "100", currency: "USD", ...change };
    if (input["accountId"] === "OTHER") input["accountId"] = othersSeller;
    const result = await request(CreateHoldDocument, { input: input as never, key: key() }, { key: platform.key });
    expect(codes(result)).toEqual([code]);
    expect(result.data ?? null).toBeNull();
    expect(await footprint(platform.accountId)).toEqual(before);
    expect(await balances(holder)).toEqual(balancesBefore);
  });

  it.each([
    ["above the hold", { amount: "501" }, "BAD_USER_INPUT"],
    ["of zero", { amount: "0" }, "BAD_USER_INPUT"],
    ["fractional", { amount: "1.5" }, "BAD_USER_INPUT"],
    ["to the hold's own account", { destinationAccountId: "HOLDER" }, "BAD_USER_INPUT"],
    ["to another tenant's account", { destinationAccountId: "OTHER" }, "NOT_FOUND"],
    ["to another tenant's platform", { destinationAccountId: "OTHER_PLATFORM" }, "NOT_FOUND"],
    ["of another tenant's hold", { id: "OTHERS_HOLD" }, "NOT_FOUND"],
    ["of an unknown hold", { id: "hold_nope00000000000000000" }, "NOT_FOUND"],
    ["of a malformed id", { id: "tr_123" }, "NOT_FOUND"],
    ["with an empty idempotency key", { key: "" }, "BAD_USER_INPUT"],
  ] as const)("a capture %s", async (_what, change, code) => {
    const active = (
      await ok(CreateHoldDocument, { input: { accountId: holder, amount: "500", currency: "USD" }, key: key() }, platform.key)
    ).createHold;
    const before = await footprint(platform.accountId);
    const variables: Record<string, unknown> = { id: active.id, amount: "100", key: key(), ...change };
    const swap: Record<string, string> = { HOLDER: holder, OTHER: othersSeller, OTHER_PLATFORM: other.accountId, OTHERS_HOLD: othersHold };
    for (const name of ["id", "destinationAccountId"]) {
      const value = variables[name];
      if (typeof value === "string" && swap[value]) variables[name] = swap[value];
    }
    const result = await request(CaptureHoldDocument, variables as never, { key: platform.key });
    expect(codes(result)).toEqual([code]);
    expect(result.data ?? null).toBeNull();
    expect(await footprint(platform.accountId)).toEqual(before);
    await ok(ReleaseHoldDocument, { id: active.id, key: key() }, platform.key);
  });

  it("another platform's hold is an unknown id to hold(id) and releaseHold; its own platform's key still sees it", async () => {
    const unknown = "hold_doesnotexist00000000000";
    for (const [foreign, missing] of [
      [
        await request(HoldByIdDocument, { id: othersHold }, { key: platform.key }),
        await request(HoldByIdDocument, { id: unknown }, { key: platform.key }),
      ],
      [
        await request(ReleaseHoldDocument, { id: othersHold, key: key() }, { key: platform.key }),
        await request(ReleaseHoldDocument, { id: unknown, key: key() }, { key: platform.key }),
      ],
    ] as const) {
      expect(codes(foreign)).toEqual(["NOT_FOUND"]);
      expect(foreign.errors?.[0]?.message.replace(othersHold, "ID")).toBe(missing.errors?.[0]?.message.replace(unknown, "ID"));
      expect(foreign.data).toEqual(missing.data);
    }
    expect((await ok(HoldByIdDocument, { id: othersHold }, other.key)).hold?.status).toBe("ACTIVE");
    // The live-mode key of the same platform does not see test-mode holds either.
    expect(codes(await request(HoldByIdDocument, { id: othersHold }, { key: other.liveKey }))).toEqual(["NOT_FOUND"]);
  });

  it.each([
    ["of a malformed id", { id: "tr_123" }, "NOT_FOUND"],
    ["of an unknown hold", { id: "hold_nope00000000000000000" }, "NOT_FOUND"],
    ["with an empty idempotency key", { key: "" }, "BAD_USER_INPUT"],
    ["with a 256-character idempotency key", { key: "k".repeat(256) }, "BAD_USER_INPUT"],
  ] as const)("a release %s", async (_what, change, code) => {
    const active = (await ok(CreateHoldDocument, { input: { accountId: holder, amount: "5", currency: "USD" }, key: key() }, platform.key))
      .createHold;
    const before = await footprint(platform.accountId);
    const result = await request(ReleaseHoldDocument, { id: active.id, key: key(), ...change }, { key: platform.key });
    expect(codes(result)).toEqual([code]);
    expect(result.data ?? null).toBeNull();
    expect(await footprint(platform.accountId)).toEqual(before);
    await ok(ReleaseHoldDocument, { id: active.id, key: key() }, platform.key);
  });

  it("without an idempotency key", async () => {
    for (const mutation of [
      'mutation { createHold(input: { accountId: "x", amount: "1", currency: "USD" }) { id } }',
      'mutation { captureHold(id: "hold_x", amount: "1") { id } }',
      'mutation { releaseHold(id: "hold_x") { id } }',
    ]) {
      expect(codes(await request(mutation, undefined, { key: platform.key }))).toEqual(["BAD_USER_INPUT"]);
    }
  });

  it("a released hold cannot be captured or released again", async () => {
    const created = (
      await ok(CreateHoldDocument, { input: { accountId: holder, amount: "10", currency: "USD" }, key: key() }, platform.key)
    ).createHold;
    await ok(ReleaseHoldDocument, { id: created.id, key: key() }, platform.key);
    const before = await footprint(platform.accountId);
    expect(codes(await request(ReleaseHoldDocument, { id: created.id, key: key() }, { key: platform.key }))).toEqual(["INVALID_STATE"]);
    expect(codes(await request(CaptureHoldDocument, { id: created.id, amount: "1", key: key() }, { key: platform.key }))).toEqual([
      "INVALID_STATE",
    ]);
    expect(await footprint(platform.accountId)).toEqual(before);
  });
});
