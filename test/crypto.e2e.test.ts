// Crypto through the gateway: wallets, simulated deposits, quotes and conversions, withdrawals
// on the simulated chain, entity fields resolved across subgraphs, and every refusal typed
// and writing nothing.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../subgraphs/ledger/store/integrity.ts";
import { cryptoFootprint } from "../subgraphs/crypto/crypto-test-support.ts";
import { generateSecretKey } from "../subgraphs/shared/auth/api-key.ts";
import { newId } from "../subgraphs/shared/ids.ts";
import {
  AccountWalletsDocument,
  CreateCryptoQuoteDocument,
  CreateCryptoWalletDocument,
  CreateCryptoWithdrawalDocument,
  CreateTopupDocument,
  CryptoAssetsDocument,
  CryptoQuoteByIdDocument,
  CryptoWalletByIdDocument,
  CryptoWithdrawalByIdDocument,
  ExecuteCryptoQuoteDocument,
  SimulateCryptoDepositDocument,
  AccountCryptoConversionsDocument,
  AccountCryptoQuotesDocument,
  WalletWithdrawalsDocument,
} from "./generated/graphql.ts";
import { codes, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { testDatabase } from "./support/database.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { walkBothWays } from "./support/paging.ts";
import { testPlatform } from "./support/platform.ts";

const key = () => randomUUID();
const ETH_OK = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const ETH_FAILS = "0x000000000000000000000000000000000000dEaD";

let platform: TestTenant;
let other: TestTenant;
let seller: string;

async function footprint(tenant = platform) {
  return cryptoFootprint(await testDatabase(), tenant.accountId);
}

async function wallet(accountId: string, asset: string, network?: string, as = platform.key) {
  return (await ok(CreateCryptoWalletDocument, { input: { accountId, asset, network }, key: key() }, as)).createCryptoWallet;
}

async function deposit(walletId: string, amount: string, as = platform.key) {
  return (await ok(SimulateCryptoDepositDocument, { walletId, amount, key: key() }, as)).simulateCryptoDeposit;
}

async function quote(accountId: string, sourceCurrency: string, destinationCurrency: string, sourceAmount: string, as = platform.key) {
  return (await ok(CreateCryptoQuoteDocument, { input: { accountId, sourceCurrency, destinationCurrency, sourceAmount } }, as))
    .createCryptoQuote;
}

async function waitForWithdrawal(id: string, as = platform.key) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await ok(CryptoWithdrawalByIdDocument, { id }, as)).cryptoWithdrawal!;
    if (found.status === "CONFIRMED" || found.status === "FAILED") return found;
    if (Date.now() > deadline) throw new Error(`withdrawal ${id} stayed ${found.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await testPlatform();
  [platform, other] = await Promise.all([newPlatform("Crypto Co"), newPlatform("Other Crypto Co")]);
  seller = await insertConnectedAccount({ tenantId: platform.accountId });
  await ok(CreateTopupDocument, { input: { accountId: platform.accountId, amount: "1000000", currency: "USD" }, key: key() }, platform.key);
});

describe("assets and wallets", () => {
  it("lists the supported assets with their networks, decimals and withdrawal fees", async () => {
    const { cryptoAssets } = await ok(CryptoAssetsDocument, {}, platform.key);
    expect(cryptoAssets.map((a) => `${a.asset}/${a.network}/${a.decimals}${a.isDefault ? "*" : ""}`)).toEqual([
      "BTC/bitcoin/8*",
      "ETH/ethereum/18*",
      "USDC/ethereum/6*",
      "USDC/solana/6",
    ]);
    expect(cryptoAssets[1]!.networkFee).toEqual({ amount: "500000000000000", currency: "ETH", decimal: "0.000500000000000000" });
  });

  it("opens wallets on demand, shows them on the account with balances from the ledger, resolved across subgraphs", async () => {
    const created = await wallet(seller, "USDC", "solana");
    expect(created).toMatchObject({
      asset: "USDC",
      network: "solana",
      balance: { amount: "0", currency: "USDC" },
      account: { id: seller },
    });
    expect(created.id).toMatch(/^cw_/);
    expect(created.account.displayName).toMatch(/^Connected /); // from the accounts subgraph
    expect((await wallet(seller, "USDC", "solana")).id).toBe(created.id);

    const credited = await deposit(created.id, "2500000");
    expect(credited).toMatchObject({
      status: "CONFIRMED",
      network: "solana",
      amount: { amount: "2500000", currency: "USDC", decimal: "2.500000" },
      wallet: { id: created.id, balance: { amount: "2500000" } },
      balanceTransaction: { type: "CRYPTO_DEPOSIT", amount: { amount: "2500000" }, net: { amount: "2500000" } },
    });
    const view = (await ok(AccountWalletsDocument, { id: seller }, platform.key)).account!;
    expect(view.cryptoWallets).toEqual([
      {
        id: created.id,
        asset: "USDC",
        network: "solana",
        address: created.address,
        balance: { amount: "2500000", currency: "USDC", decimal: "2.500000" },
      },
    ]);
    expect(view.balances).toContainEqual({ currency: "USDC", available: { amount: "2500000" } });
    // The deposit is a balance event for partners, with the balance after it.
    const db = await testDatabase();
    const events = await db.prisma.balanceEvent.findMany({ where: { accountId: seller, currency: "USDC" } });
    expect(events.map((e) => [e.available.toFixed(), e.balanceTransactionId])).toEqual([["2500000", credited.balanceTransaction.id]]);
  });

  it("carries 18-decimal amounts exactly through the gateway", async () => {
    const eth = await wallet(platform.accountId, "ETH");
    await deposit(eth.id, "1000000000000000000000000000000");
    await deposit(eth.id, "1");
    const found = (await ok(CryptoWalletByIdDocument, { id: eth.id }, platform.key)).cryptoWallet!;
    expect(found.balance.amount).toBe("1000000000000000000000000000001");
    expect(found.deposits.edges.map((e) => e.node.amount.amount)).toEqual(["1", "1000000000000000000000000000000"]);
  });

  it("refuses bad wallets with typed errors and writes nothing", async () => {
    const before = await footprint();
    const cases: [Record<string, unknown>, string][] = [
      [{ accountId: seller, asset: "USD" }, "BAD_USER_INPUT"],
      [{ accountId: seller, asset: "BTC", network: "ethereum" }, "BAD_USER_INPUT"],
      [{ accountId: seller, asset: "DOGE" }, "BAD_USER_INPUT"],
      [{ accountId: other.accountId, asset: "BTC" }, "NOT_FOUND"],
    ];
    for (const [input, code] of cases) {
      const result = await request(CreateCryptoWalletDocument, { input: input as never, key: key() }, { key: platform.key });
      expect(codes(result)).toEqual([code]);
    }
    expect(await footprint()).toEqual(before);
  });

  it("keeps wallets inside their tenant", async () => {
    const theirs = await wallet(other.accountId, "BTC", undefined, other.key);
    expect(codes(await request(CryptoWalletByIdDocument, { id: theirs.id }, { key: platform.key }))).toEqual(["NOT_FOUND"]);
    const before = await footprint(other);
    const result = await request(SimulateCryptoDepositDocument, { walletId: theirs.id, amount: "1", key: key() }, { key: platform.key });
    expect(codes(result)).toEqual(["NOT_FOUND"]);
    expect(await footprint(other)).toEqual(before);
  });

  it("refuses simulated deposits to a live-mode key with FORBIDDEN", async () => {
    const db = await testDatabase();
    const live = generateSecretKey(true);
    await db.prisma.apiKey.create({
      data: { id: newId("apiKey"), accountId: platform.accountId, livemode: true, secretHash: live.secretHash, redacted: live.redacted },
    });
    const liveWallet = (
      await ok(CreateCryptoWalletDocument, { input: { accountId: platform.accountId, asset: "BTC" }, key: key() }, live.secret)
    ).createCryptoWallet;
    expect(liveWallet.address).toMatch(/^bc1q/); // mainnet form in live mode
    const before = await footprint();
    const result = await request(
      SimulateCryptoDepositDocument,
      { walletId: liveWallet.id, amount: "1000", key: key() },
      { key: live.secret },
    );
    expect(codes(result)).toEqual(["FORBIDDEN"]);
    expect(await footprint()).toEqual(before);
  });
});

describe("quotes and conversions", () => {
  it("converts USD to ETH at the quoted terms, with both sides in the history", async () => {
    const q = await quote(platform.accountId, "USD", "ETH", "10000");
    expect(q).toMatchObject({
      status: "OPEN",
      sourceAmount: { amount: "10000", currency: "USD", decimal: "100.00" },
      fee: { amount: "100", currency: "USD", decimal: "1.00" },
      destinationAmount: { amount: "39600000000000000", currency: "ETH", decimal: "0.039600000000000000" },
      rate: "0.0004",
      exactRate: "1/2500",
      account: { id: platform.accountId },
    });
    const ttl = Date.parse(q.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(20_000);
    expect(ttl).toBeLessThanOrEqual(30_000);

    const k = key();
    const conversion = (await ok(ExecuteCryptoQuoteDocument, { quoteId: q.id, key: k }, platform.key)).executeCryptoQuote;
    expect(conversion).toMatchObject({
      sourceAmount: { amount: "10000" },
      destinationAmount: { amount: "39600000000000000" },
      quote: { id: q.id, status: "EXECUTED" },
      sourceBalanceTransaction: {
        type: "CRYPTO_CONVERSION",
        amount: { amount: "-9900" },
        fee: { amount: "100" },
        net: { amount: "-10000" },
      },
      destinationBalanceTransaction: { type: "CRYPTO_CONVERSION", net: { amount: "39600000000000000" } },
    });
    expect(conversion.id).toMatch(/^cc_/);
    expect((await ok(CryptoQuoteByIdDocument, { id: q.id }, platform.key)).cryptoQuote).toMatchObject({
      status: "EXECUTED",
      conversion: { id: conversion.id },
    });

    // The same key replays; another key finds the quote used; nothing is written either way.
    const before = await footprint();
    expect((await ok(ExecuteCryptoQuoteDocument, { quoteId: q.id, key: k }, platform.key)).executeCryptoQuote.id).toBe(conversion.id);
    expect(codes(await request(ExecuteCryptoQuoteDocument, { quoteId: q.id, key: key() }, { key: platform.key }))).toEqual([
      "INVALID_STATE",
    ]);
    expect(await footprint()).toEqual(before);
  });

  it("converts crypto back to fiat (off-ramp) with an exact rate and a non-terminating one", async () => {
    const btc = await wallet(platform.accountId, "BTC");
    await deposit(btc.id, "100000000");
    const toEur = await quote(platform.accountId, "BTC", "EUR", "100000000");
    expect(toEur).toMatchObject({
      rate: "46000",
      exactRate: "46000/1",
      fee: { amount: "1000000" },
      destinationAmount: { amount: "4554000" },
    });
    await ok(ExecuteCryptoQuoteDocument, { quoteId: toEur.id, key: key() }, platform.key);
    const fromEur = await quote(platform.accountId, "EUR", "USDC", "100000");
    // 1000.00 EUR - 1% = 990.00 EUR at 25/23 USDC per EUR = 1076.086956... -> 1076.086956 USDC (rounded down).
    expect(fromEur).toMatchObject({ rate: "1.0869565217391304347", exactRate: "25/23", destinationAmount: { amount: "1076086956" } });
  });

  it("refuses an expired quote with QUOTE_EXPIRED and writes nothing", async () => {
    const q = await quote(platform.accountId, "USD", "BTC", "1000");
    const db = await testDatabase();
    await db.sql.query("UPDATE crypto_quote SET expires_at = now() - interval '1 second' WHERE id = $1", [q.id]); // time passes
    const before = await footprint();
    expect(codes(await request(ExecuteCryptoQuoteDocument, { quoteId: q.id, key: key() }, { key: platform.key }))).toEqual([
      "QUOTE_EXPIRED",
    ]);
    expect(await footprint()).toEqual(before);
    expect((await ok(CryptoQuoteByIdDocument, { id: q.id }, platform.key)).cryptoQuote).toMatchObject({
      status: "EXPIRED",
      conversion: null,
    });
  });

  it("answers NOT_FOUND for another tenant's quote and writes nothing on either side", async () => {
    const theirs = await quote(other.accountId, "USD", "BTC", "1000", other.key);
    const [mine, their] = [await footprint(), await footprint(other)];
    expect(codes(await request(ExecuteCryptoQuoteDocument, { quoteId: theirs.id, key: key() }, { key: platform.key }))).toEqual([
      "NOT_FOUND",
    ]);
    expect(codes(await request(CryptoQuoteByIdDocument, { id: theirs.id }, { key: platform.key }))).toEqual(["NOT_FOUND"]);
    expect([await footprint(), await footprint(other)]).toEqual([mine, their]);
  });

  it("refuses with INSUFFICIENT_FUNDS and writes nothing", async () => {
    const q = await quote(seller, "USD", "ETH", "100");
    const before = await footprint();
    expect(codes(await request(ExecuteCryptoQuoteDocument, { quoteId: q.id, key: key() }, { key: platform.key }))).toEqual([
      "INSUFFICIENT_FUNDS",
    ]);
    expect(await footprint()).toEqual(before);
  });

  it.each([
    ["a non-crypto pair", { sourceCurrency: "USD", destinationCurrency: "EUR" }],
    ["a fractional amount", { sourceAmount: "1.5" }],
    ["a zero amount", { sourceAmount: "0" }],
    ["an unknown currency", { destinationCurrency: "DOGE" }],
  ])("refuses a quote with %s as BAD_USER_INPUT", async (_what, change) => {
    const before = await footprint();
    const input = { accountId: platform.accountId, sourceCurrency: "USD", destinationCurrency: "BTC", sourceAmount: "1000", ...change };
    expect(codes(await request(CreateCryptoQuoteDocument, { input }, { key: platform.key }))).toEqual(["BAD_USER_INPUT"]);
    expect(await footprint()).toEqual(before);
  });
});

describe("withdrawals", () => {
  it("are confirmed on the simulated chain, or fail and restore the balance", async () => {
    const eth = await wallet(seller, "ETH");
    await deposit(eth.id, "3000000000000000000");
    const sent = (
      await ok(
        CreateCryptoWithdrawalDocument,
        { input: { walletId: eth.id, address: ETH_OK.toLowerCase(), amount: "1000000000000000000" }, key: key() },
        platform.key,
      )
    ).createCryptoWithdrawal;
    expect(sent).toMatchObject({
      address: ETH_OK,
      network: "ethereum",
      amount: { amount: "1000000000000000000", decimal: "1.000000000000000000" },
      networkFee: { amount: "500000000000000" },
      balanceTransaction: { type: "CRYPTO_WITHDRAWAL", net: { amount: "-1000500000000000000" } },
    });
    expect(["PENDING", "BROADCAST", "CONFIRMED"]).toContain(sent.status);
    const confirmed = await waitForWithdrawal(sent.id);
    expect(confirmed).toMatchObject({
      status: "CONFIRMED",
      failureCode: null,
      failureBalanceTransaction: null,
      wallet: { balance: { amount: "1999500000000000000" } },
    });
    expect(confirmed.transactionHash).toMatch(/^0x[0-9a-f]{64}$/);

    const doomed = (
      await ok(
        CreateCryptoWithdrawalDocument,
        { input: { walletId: eth.id, address: ETH_FAILS, amount: "1000000000000000000" }, key: key() },
        platform.key,
      )
    ).createCryptoWithdrawal;
    const failed = await waitForWithdrawal(doomed.id);
    expect(failed).toMatchObject({
      status: "FAILED",
      failureCode: "rejected_by_network",
      failureBalanceTransaction: { type: "CRYPTO_WITHDRAWAL_FAILURE", amount: { amount: "1000500000000000000" } },
      wallet: { balance: { amount: "1999500000000000000" } },
    });
    const listed = (await ok(CryptoWalletByIdDocument, { id: eth.id }, platform.key)).cryptoWallet!.withdrawals.edges.map((e) => e.node);
    expect(listed).toEqual([
      { id: doomed.id, status: "FAILED" },
      { id: sent.id, status: "CONFIRMED" },
    ]);
    const withdrawals = async (args: object) =>
      (await ok(WalletWithdrawalsDocument, { id: eth.id, ...args }, platform.key)).cryptoWallet!.withdrawals;
    expect(await walkBothWays(withdrawals, 1)).toEqual([doomed.id, sent.id]);
    expect((await withdrawals({ status: "CONFIRMED" })).edges.map((e) => e.node.id)).toEqual([sent.id]);
    expect((await withdrawals({ status: "FAILED" })).edges.map((e) => e.node.id)).toEqual([doomed.id]);
    expect((await withdrawals({ status: "PENDING" })).edges).toEqual([]);
  });

  it.each([
    ["an address of another network", { address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" }, "BAD_USER_INPUT"],
    ["a broken EIP-55 checksum", { address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" }, "BAD_USER_INPUT"],
    ["more than the balance", { amount: "999000000000000000000" }, "INSUFFICIENT_FUNDS"],
    ["a negative amount", { amount: "-1" }, "BAD_USER_INPUT"],
    ["another tenant's wallet", { walletId: "OTHER" }, "NOT_FOUND"],
  ])("are refused for %s, writing nothing", async (_what, change, code) => {
    const holder = await insertConnectedAccount({ tenantId: platform.accountId });
    const eth = await wallet(holder, "ETH");
    await deposit(eth.id, "1000000000000000000");
    const theirs = await wallet(other.accountId, "ETH", undefined, other.key);
    const input = { walletId: eth.id, address: ETH_OK, amount: "1000", ...change };
    if (input.walletId === "OTHER") input.walletId = theirs.id;
    const before = await footprint();
    const result = await request(CreateCryptoWithdrawalDocument, { input, key: key() }, { key: platform.key });
    expect(codes(result)).toEqual([code]);
    if ("address" in change) {
      expect(result.errors![0]!.message).toMatch(/^Not a valid ethereum address/);
      expect(result.errors![0]!.extensions!["argument"]).toBe("input.address");
    }
    expect(await footprint()).toEqual(before);
  });

  it("leave the tenants' ledgers consistent", async () => {
    const db = await testDatabase();
    const report = await verifyLedger(db.sql, { tenantId: platform.accountId });
    expect(report.problems).toEqual([]);
    expect(report.transactionsChecked).toBeGreaterThan(10);
    expect((await verifyLedger(db.sql, { tenantId: other.accountId })).problems).toEqual([]);
  });
});

describe("an account's quotes and conversions", () => {
  it("lists them newest first both ways, quotes by status, within the caller's tenant", async () => {
    const lister = await newPlatform("Crypto lister");
    const eth = await wallet(lister.accountId, "ETH", undefined, lister.key);
    await deposit(eth.id, "5000000000000000000", lister.key);
    const quotes: string[] = [];
    for (let i = 0; i < 5; i++) quotes.push((await quote(lister.accountId, "ETH", "USD", "100000000000000000", lister.key)).id);
    const conversions: string[] = [];
    for (const quoteId of [quotes[1]!, quotes[3]!]) {
      conversions.push((await ok(ExecuteCryptoQuoteDocument, { quoteId, key: key() }, lister.key)).executeCryptoQuote.id);
    }
    const quotesOf = async (args: object, as = lister) =>
      (await ok(AccountCryptoQuotesDocument, { id: lister.accountId, ...args }, as.key)).account!.cryptoQuotes;
    expect(await walkBothWays(quotesOf, 2)).toEqual([...quotes].reverse());
    const ids = async (status: "OPEN" | "EXECUTED" | "EXPIRED") => (await quotesOf({ status, first: 10 })).edges.map((e) => e.node);
    expect(await ids("EXECUTED")).toEqual([quotes[3], quotes[1]].map((id) => ({ id, status: "EXECUTED", createdAt: expect.any(String) })));
    expect((await ids("OPEN")).map((q) => q.id)).toEqual([quotes[4], quotes[2], quotes[0]]);
    expect(await ids("EXPIRED")).toEqual([]);
    const at = (await quotesOf({ first: 10 })).edges[2]!.node.createdAt as string;
    expect((await quotesOf({ created: { gt: at }, first: 10 })).edges.map((e) => e.node.id)).toEqual([quotes[4], quotes[3]]);

    const conversionsOf = async (args: object) =>
      (await ok(AccountCryptoConversionsDocument, { id: lister.accountId, ...args }, lister.key)).account!.cryptoConversions;
    expect(await walkBothWays(conversionsOf, 1)).toEqual([...conversions].reverse());
    expect((await conversionsOf({ first: 5 })).edges.map((e) => e.node.quote.id)).toEqual([quotes[3], quotes[1]]);

    for (const document of [AccountCryptoQuotesDocument, AccountCryptoConversionsDocument] as const) {
      expect(codes(await request(document, { id: lister.accountId, first: 5 }, { key: other.key }))).toEqual(["NOT_FOUND"]);
      const refused = await request(document, { id: lister.accountId, created: {} }, { key: lister.key });
      expect(codes(refused)).toEqual(["BAD_USER_INPUT"]);
      expect(refused.errors?.[0]?.extensions?.["argument"]).toBe("created");
    }
  });
});
