// Top-ups, transfers, balances and their history through the gateway, and every way to get
// them wrong: each refusal carries its typed code and changes nothing.

import { randomUUID } from "node:crypto";
import { print } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../subgraphs/ledger/store/integrity.ts";
import {
  BalancesDocument,
  BalanceTransactionByIdDocument,
  CreateTopupDocument,
  CreateTransferDocument,
  HistoryDocument,
  TransferByIdDocument,
} from "./generated/graphql.ts";
import { codes, gatewayUrl, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { testDatabase } from "./support/database.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { testPlatform } from "./support/platform.ts";

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
  const [transfers, topups, entries, idempotency] = await Promise.all([
    db.prisma.transfer.count({ where: { tenantId } }),
    db.prisma.topup.count({ where: { tenantId } }),
    db.prisma.ledgerTransaction.count({ where: { tenantId } }),
    db.prisma.idempotencyKey.count({ where: { scope: { startsWith: tenantId } } }),
  ]);
  return { transfers, topups, entries, idempotency };
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
