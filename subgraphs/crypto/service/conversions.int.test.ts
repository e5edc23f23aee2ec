// Wallets, quotes and conversions against the database: the ledger effects, idempotency, and
// every refusal typed and writing nothing.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { verifyLedger, readBalances } from "../../ledger/api.ts";
import { createTopup } from "../../balances/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { validateAddress } from "../domain/address/index.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { cryptoFootprint } from "../crypto-test-support.ts";
import { createCryptoQuote } from "./create-quote.ts";
import { createCryptoWallet } from "./create-wallet.ts";
import { executeCryptoQuote } from "./execute-quote.ts";
import { simulateCryptoDeposit } from "./simulate-deposit.ts";
import { accountsWallets } from "./read-crypto.ts";
import type { AccountId } from "../../shared/ids.ts";

const [USD, EUR, BTC, ETH, USDC] = ["USD", "EUR", "BTC", "ETH", "USDC"].map((code) => parseCurrency(code)!);
const key = () => randomUUID();

let deps: Dependencies;

beforeAll(async () => {
  deps = await testDeps();
});

async function balancesOf(principal: PlatformPrincipal, accountId: AccountId): Promise<Record<string, bigint>> {
  const balances = (await readBalances(deps.db, principal, [accountId])).get(accountId) ?? [];
  return Object.fromEntries(balances.map((b) => [b.currency, b.available]));
}

async function ledgerAccount(principal: PlatformPrincipal, accountId: AccountId, currency: string, kind: string): Promise<bigint> {
  const [row] = await deps.db.sql.query<{ balance: string | null }>(
    `SELECT SUM(lb.balance)::text AS balance FROM ledger_account la JOIN ledger_balance lb ON lb.ledger_account_id = la.id
      WHERE la.tenant_id = $1 AND la.account_id = $2 AND la.currency = $3 AND la.kind = $4::"LedgerAccountKind"`,
    [principal.tenantId, accountId, currency, kind],
  );
  return BigInt(row?.balance ?? "0");
}

async function fundedPlatform(usdCents = 1_000_000n): Promise<PlatformPrincipal> {
  const principal = await insertPlatform(deps);
  await createTopup(deps, principal, { accountId: principal.tenantId, amount: usdCents, currency: USD! }, key());
  return principal;
}

async function expectClean(principal: PlatformPrincipal) {
  const report = await verifyLedger(deps.db.sql, { tenantId: principal.tenantId });
  expect(report.problems).toEqual([]);
}

describe("wallets", () => {
  it("opens one wallet per asset and network, with a valid derived deposit address, and returns it again when asked again", async () => {
    const principal = await insertPlatform(deps);
    const btc = await createCryptoWallet(deps, principal, { accountId: principal.tenantId, asset: BTC! }, key());
    expect(btc).toMatchObject({ asset: "BTC", network: "bitcoin", accountId: principal.tenantId, livemode: false });
    expect(btc.id).toMatch(/^cw_/);
    expect(isRefusal(validateAddress("bitcoin", btc.address, false))).toBe(false);
    expect(btc.address).toMatch(/^tb1q/);
    const again = await createCryptoWallet(deps, principal, { accountId: principal.tenantId, asset: BTC!, network: "bitcoin" }, key());
    expect(again.id).toBe(btc.id);
    const solana = await createCryptoWallet(deps, principal, { accountId: principal.tenantId, asset: USDC!, network: "solana" }, key());
    const ethereum = await createCryptoWallet(deps, principal, { accountId: principal.tenantId, asset: USDC! }, key());
    expect([solana.network, ethereum.network]).toEqual(["solana", "ethereum"]);
    const [wallets] = await accountsWallets(deps, principal, [principal.tenantId]);
    expect(wallets!.map((w) => `${w.asset}/${w.network}`)).toEqual(["BTC/bitcoin", "USDC/solana", "USDC/ethereum"]);
  });

  it("live mode gets mainnet addresses", async () => {
    const live = await insertPlatform(deps, true);
    const wallet = await createCryptoWallet(deps, live, { accountId: live.tenantId, asset: BTC! }, key());
    expect(wallet.address).toMatch(/^bc1q/);
  });

  it.each([
    ["an asset that is not crypto", { asset: "USD" }, "BAD_USER_INPUT"],
    ["a network the asset is not on", { asset: "BTC", network: "solana" }, "BAD_USER_INPUT"],
    ["an unknown network", { asset: "ETH", network: "dogechain" }, "BAD_USER_INPUT"],
    ["another tenant's account", { accountId: "OTHER" }, "NOT_FOUND"],
    ["a closed account", { accountId: "CLOSED" }, "INVALID_STATE"],
  ])("refuses %s and writes nothing", async (_what, change, code) => {
    const principal = await insertPlatform(deps);
    const other = await insertPlatform(deps);
    const closed = await insertConnectedAccount({ tenantId: principal.tenantId, status: "CLOSED" });
    const input = { accountId: principal.tenantId, asset: "BTC", ...change };
    const named: Record<string, AccountId> = { OTHER: other.tenantId, CLOSED: closed };
    const accountId = named[input.accountId] ?? principal.tenantId;
    const before = await cryptoFootprint(deps.db, principal.tenantId);
    await expect(
      createCryptoWallet(deps, principal, { ...input, accountId, asset: parseCurrency(input.asset)! }, key()),
    ).rejects.toMatchObject({
      code,
    });
    expect(await cryptoFootprint(deps.db, principal.tenantId)).toEqual(before);
  });
});

describe("conversions", () => {
  it("on-ramp: debits USD, credits ETH, fee to FEES, through per-currency clearing accounts, in one ledger transaction", async () => {
    const principal = await fundedPlatform();
    const seller = await insertConnectedAccount({ tenantId: principal.tenantId });
    await createTopup(deps, principal, { accountId: seller, amount: 20_000n, currency: USD! }, key());
    const quote = await createCryptoQuote(deps, principal, {
      accountId: seller,
      sourceCurrency: USD!,
      destinationCurrency: ETH!,
      sourceAmount: 10_000n,
    });
    // 100.00 USD, 1% spread: fee 1.00 USD, 99.00 USD at 1/2500 ETH per USD = 0.0396 ETH.
    expect(quote).toMatchObject({
      sourceAmount: 10_000n,
      fee: 100n,
      destinationAmount: 39_600_000_000_000_000n,
      rate: { num: 1n, den: 2500n },
      conversionId: null,
    });
    expect(quote.expiresAt.getTime() - quote.createdAt.getTime()).toBe(deps.config.QUOTE_TTL_MS);

    const conversion = await executeCryptoQuote(deps, principal, quote.id, key());
    expect(conversion).toMatchObject({ quoteId: quote.id, sourceAmount: 10_000n, destinationAmount: 39_600_000_000_000_000n, fee: 100n });
    expect(await balancesOf(principal, seller)).toEqual({ USD: 10_000n, ETH: 39_600_000_000_000_000n });
    expect(await ledgerAccount(principal, principal.tenantId, "USD", "CRYPTO_CLEARING")).toBe(9_900n);
    expect(await ledgerAccount(principal, principal.tenantId, "USD", "FEES")).toBe(100n);
    expect(await ledgerAccount(principal, principal.tenantId, "ETH", "CRYPTO_CLEARING")).toBe(-39_600_000_000_000_000n);

    const transactions = await deps.db.prisma.ledgerTransaction.findMany({ where: { reference: conversion.id } });
    expect(transactions.map((t) => t.kind)).toEqual(["CRYPTO_CONVERSION"]);
    const history = await deps.db.prisma.balanceTransaction.findMany({ where: { sourceId: conversion.id }, orderBy: { currency: "asc" } });
    expect(history.map((bt) => [bt.type, bt.currency, bt.amount.toFixed(), bt.fee.toFixed(), bt.net.toFixed()])).toEqual([
      ["CRYPTO_CONVERSION", "ETH", "39600000000000000", "0", "39600000000000000"],
      ["CRYPTO_CONVERSION", "USD", "-9900", "100", "-10000"],
    ]);
    const events = await deps.db.prisma.balanceEvent.findMany({ where: { accountId: seller, currency: "ETH" } });
    expect(events.map((e) => e.available.toFixed())).toEqual(["39600000000000000"]);
    // Converting into crypto opened the account's ETH wallet.
    const [wallets] = await accountsWallets(deps, principal, [seller]);
    expect(wallets!.map((w) => `${w.asset}/${w.network}`)).toEqual(["ETH/ethereum"]);
    await expectClean(principal);
  });

  it("off-ramp: BTC deposited, converted to EUR at 46000 EUR/BTC", async () => {
    const principal = await insertPlatform(deps);
    const wallet = await createCryptoWallet(deps, principal, { accountId: principal.tenantId, asset: BTC! }, key());
    await simulateCryptoDeposit(deps, principal, { walletId: wallet.id, amount: 100_000_000n }, key());
    const quote = await createCryptoQuote(deps, principal, {
      accountId: principal.tenantId,
      sourceCurrency: BTC!,
      destinationCurrency: EUR!,
      sourceAmount: 12_345_678n,
    });
    // fee ceil(123456.78) = 123457 sat; 12222221 sat * 46000 EUR/BTC = 5622.22166 EUR -> 562222 cents.
    expect(quote).toMatchObject({ fee: 123_457n, destinationAmount: 562_222n });
    await executeCryptoQuote(deps, principal, quote.id, key());
    expect(await balancesOf(principal, principal.tenantId)).toEqual({ BTC: 100_000_000n - 12_345_678n, EUR: 562_222n });
    await expectClean(principal);
  });

  it("a round trip USD -> ETH -> USD gives back no more than went in", async () => {
    const principal = await fundedPlatform(1_000_000n);
    const there = await createCryptoQuote(deps, principal, {
      accountId: principal.tenantId,
      sourceCurrency: USD!,
      destinationCurrency: ETH!,
      sourceAmount: 1_000_000n,
    });
    await executeCryptoQuote(deps, principal, there.id, key());
    const back = await createCryptoQuote(deps, principal, {
      accountId: principal.tenantId,
      sourceCurrency: ETH!,
      destinationCurrency: USD!,
      sourceAmount: there.destinationAmount,
    });
    await executeCryptoQuote(deps, principal, back.id, key());
    const after = await balancesOf(principal, principal.tenantId);
    expect(after["ETH"]).toBe(0n);
    // 10,000.00 USD - 1% = 9,900.00 USD -> 3.96 ETH; - 1% = 3.9204 ETH -> 9,801.00 USD.
    expect(after["USD"]).toBe(980_100n);
    // What the account lost is exactly the two fees (no rounding at these amounts): 100.00 USD and 0.0396 ETH (99.00 USD).
    expect(await ledgerAccount(principal, principal.tenantId, "USD", "FEES")).toBe(10_000n);
    expect(await ledgerAccount(principal, principal.tenantId, "ETH", "FEES")).toBe(back.fee);
    expect(back.fee).toBe(39_600_000_000_000_000n);
    await expectClean(principal);
  });

  it("replays the same key, refuses a second execution, and each writes nothing", async () => {
    const principal = await fundedPlatform();
    const quote = await createCryptoQuote(deps, principal, {
      accountId: principal.tenantId,
      sourceCurrency: USD!,
      destinationCurrency: BTC!,
      sourceAmount: 5_000n,
    });
    const k = key();
    const first = await executeCryptoQuote(deps, principal, quote.id, k);
    const before = await cryptoFootprint(deps.db, principal.tenantId);
    const replay = await executeCryptoQuote(deps, principal, quote.id, k);
    expect(replay.id).toBe(first.id);
    await expect(executeCryptoQuote(deps, principal, quote.id, key())).rejects.toMatchObject({ code: "INVALID_STATE" });
    const otherQuote = await createCryptoQuote(deps, principal, {
      accountId: principal.tenantId,
      sourceCurrency: USD!,
      destinationCurrency: BTC!,
      sourceAmount: 5_000n,
    });
    await expect(executeCryptoQuote(deps, principal, otherQuote.id, k)).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await cryptoFootprint(deps.db, principal.tenantId)).toEqual({ ...before, quotes: before.quotes + 1 });
    await expectClean(principal);
  });

  it("executes a quote once even when two executions race with different keys", async () => {
    const principal = await fundedPlatform();
    const quote = await createCryptoQuote(deps, principal, {
      accountId: principal.tenantId,
      sourceCurrency: USD!,
      destinationCurrency: ETH!,
      sourceAmount: 7_000n,
    });
    const results = await Promise.allSettled([
      executeCryptoQuote(deps, principal, quote.id, key()),
      executeCryptoQuote(deps, principal, quote.id, key()),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(["INVALID_STATE"]);
    expect(await deps.db.prisma.cryptoConversion.count({ where: { quoteId: quote.id } })).toBe(1);
    await expectClean(principal);
  });

  it("refuses an expired quote with QUOTE_EXPIRED and writes nothing; the quote shows EXPIRED", async () => {
    const principal = await fundedPlatform();
    const quote = await createCryptoQuote(deps, principal, {
      accountId: principal.tenantId,
      sourceCurrency: USD!,
      destinationCurrency: ETH!,
      sourceAmount: 1_000n,
    });
    const before = await cryptoFootprint(deps.db, principal.tenantId);
    const later = () => new Date(quote.expiresAt.getTime() + 1);
    await expect(executeCryptoQuote(deps, principal, quote.id, key(), later)).rejects.toMatchObject({ code: "QUOTE_EXPIRED" });
    await expect(executeCryptoQuote(deps, principal, quote.id, key(), () => quote.expiresAt)).rejects.toMatchObject({
      code: "QUOTE_EXPIRED",
    });
    expect(await cryptoFootprint(deps.db, principal.tenantId)).toEqual(before);
    // With a zero lifetime a quote is born expired.
    const instant = await testDeps({ QUOTE_TTL_MS: "0" });
    const dead = await createCryptoQuote(instant, principal, {
      accountId: principal.tenantId,
      sourceCurrency: USD!,
      destinationCurrency: ETH!,
      sourceAmount: 1_000n,
    });
    await expect(executeCryptoQuote(instant, principal, dead.id, key())).rejects.toMatchObject({ code: "QUOTE_EXPIRED" });
  });

  it("answers NOT_FOUND for another tenant's quote, or the same tenant's quote in the other mode, and writes nothing", async () => {
    const owner = await fundedPlatform();
    const intruder = await fundedPlatform();
    const quote = await createCryptoQuote(deps, owner, {
      accountId: owner.tenantId,
      sourceCurrency: USD!,
      destinationCurrency: ETH!,
      sourceAmount: 1_000n,
    });
    const [ownerBefore, intruderBefore] = await Promise.all([
      cryptoFootprint(deps.db, owner.tenantId),
      cryptoFootprint(deps.db, intruder.tenantId),
    ]);
    await expect(executeCryptoQuote(deps, intruder, quote.id, key())).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(executeCryptoQuote(deps, { ...owner, livemode: true }, quote.id, key())).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await cryptoFootprint(deps.db, owner.tenantId)).toEqual(ownerBefore);
    expect(await cryptoFootprint(deps.db, intruder.tenantId)).toEqual(intruderBefore);
  });

  it("refuses with INSUFFICIENT_FUNDS, writes nothing, and the quote stays executable", async () => {
    const principal = await insertPlatform(deps);
    const quote = await createCryptoQuote(deps, principal, {
      accountId: principal.tenantId,
      sourceCurrency: USD!,
      destinationCurrency: BTC!,
      sourceAmount: 2_500n,
    });
    const before = await cryptoFootprint(deps.db, principal.tenantId);
    const k = key();
    await expect(executeCryptoQuote(deps, principal, quote.id, k)).rejects.toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    expect(await cryptoFootprint(deps.db, principal.tenantId)).toEqual(before);
    await createTopup(deps, principal, { accountId: principal.tenantId, amount: 2_500n, currency: USD! }, key());
    const conversion = await executeCryptoQuote(deps, principal, quote.id, k); // the released key may be retried
    expect(conversion.destinationAmount).toBe(49_500n); // 24.75 USD / 50000 = 0.000495 BTC
    expect(await balancesOf(principal, principal.tenantId)).toEqual({ USD: 0n, BTC: 49_500n });
    await expectClean(principal);
  });

  it.each([
    ["the same currency", { destinationCurrency: "USD" }, "BAD_USER_INPUT"],
    ["fiat to fiat", { destinationCurrency: "EUR" }, "BAD_USER_INPUT"],
    ["a currency without a rate", { sourceCurrency: "JPY" }, "BAD_USER_INPUT"],
    ["zero", { sourceAmount: 0n }, "BAD_USER_INPUT"],
    ["dust that buys nothing", { sourceCurrency: "ETH", destinationCurrency: "USD", sourceAmount: 1n }, "BAD_USER_INPUT"],
    ["another tenant's account", { accountId: "OTHER" }, "NOT_FOUND"],
    ["a closed account", { accountId: "CLOSED" }, "INVALID_STATE"],
  ])("refuses a quote of %s and writes nothing", async (_what, change, code) => {
    const principal = await insertPlatform(deps);
    const other = await insertPlatform(deps);
    const closed = await insertConnectedAccount({ tenantId: principal.tenantId, status: "CLOSED" });
    const input = { accountId: principal.tenantId, sourceCurrency: "USD", destinationCurrency: "BTC", sourceAmount: 1_000n, ...change };
    const named: Record<string, AccountId> = { OTHER: other.tenantId, CLOSED: closed };
    const accountId = named[input.accountId] ?? principal.tenantId;
    const before = await cryptoFootprint(deps.db, principal.tenantId);
    const attempt = createCryptoQuote(deps, principal, {
      ...input,
      accountId,
      sourceCurrency: parseCurrency(input.sourceCurrency)!,
      destinationCurrency: parseCurrency(input.destinationCurrency)!,
    });
    await expect(attempt).rejects.toMatchObject({ code });
    expect(await cryptoFootprint(deps.db, principal.tenantId)).toEqual(before);
  });
});
