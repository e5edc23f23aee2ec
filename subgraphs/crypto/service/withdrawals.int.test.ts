// Withdrawals and simulated deposits against the database: the debit at creation, the worker's
// steps on the simulated chain, the reversal on failure, every refusal writing nothing, and the
// shared lifecycle template: the database guard against the state machine, pair by pair, and a
// batch rolled back by a failing step posting its reversals once.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { verifyLedger, readBalances } from "../../ledger/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { StepError } from "../../shared/worker.ts";
import { checkGuard } from "../../../test/support/lifecycle.ts";
import { cryptoFootprint } from "../crypto-test-support.ts";
import { withdrawalLifecycle, type WithdrawalStatus } from "../domain/withdrawal.ts";
import { insertWithdrawal } from "../store/withdrawals.ts";
import { advanceDueWithdrawals } from "./advance-withdrawals.ts";
import { createCryptoWallet } from "./create-wallet.ts";
import { createCryptoWithdrawal } from "./create-withdrawal.ts";
import { simulateCryptoDeposit } from "./simulate-deposit.ts";
import type { WalletRecord } from "../store/wallets.ts";
import { withdrawalsByIds } from "./read-crypto.ts";
import { startCryptoWorker } from "./worker.ts";

const [BTC, ETH, USDC] = ["BTC", "ETH", "USDC"].map((code) => parseCurrency(code)!);
const key = () => randomUUID();
const ETH_OK = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const ETH_FAILS = "0x000000000000000000000000000000000000dEaD";
const ONE_ETH = 10n ** 18n;
const ETH_FEE = 5n * 10n ** 14n;

let deps: Dependencies;

beforeAll(async () => {
  deps = await testDeps({ PAYOUT_STEP_MS: "60000" });
});

async function available(principal: PlatformPrincipal, accountId: AccountId, currency: string): Promise<bigint> {
  const balances = (await readBalances(deps.db, principal, [accountId])).get(accountId) ?? [];
  return balances.find((b) => b.currency === currency)?.available ?? 0n;
}

async function walletWith(
  principal: PlatformPrincipal,
  amount: bigint,
  accountId = principal.tenantId,
  asset = ETH!,
  network?: string,
): Promise<WalletRecord> {
  const wallet = await createCryptoWallet(deps, principal, { accountId, asset, network }, key());
  if (amount > 0n) await simulateCryptoDeposit(deps, principal, { walletId: wallet.id, amount }, key());
  return wallet;
}

async function withdrawal(principal: PlatformPrincipal, id: string) {
  const [row] = await withdrawalsByIds(deps, principal, [id]);
  return row!;
}

/** Runs the worker's step for one tenant as if `ms` had passed (other tests share the database). */
const stepAfter = (principal: PlatformPrincipal, ms: number) =>
  advanceDueWithdrawals(deps, { now: new Date(Date.now() + ms), tenantId: principal.tenantId });

describe("simulated deposits", () => {
  it("credit the wallet's balance with a CRYPTO_DEPOSIT transaction and a balance event", async () => {
    const principal = await insertPlatform(deps);
    const wallet = await createCryptoWallet(deps, principal, { accountId: principal.tenantId, asset: USDC!, network: "solana" }, key());
    const deposit = await simulateCryptoDeposit(deps, principal, { walletId: wallet.id, amount: 12_345_678n }, key());
    expect(deposit).toMatchObject({ walletId: wallet.id, asset: "USDC", network: "solana", amount: 12_345_678n });
    expect(deposit.transactionHash).toMatch(/^[1-9A-HJ-NP-Za-km-z]{80,90}$/);
    expect(await available(principal, principal.tenantId, "USDC")).toBe(12_345_678n);
    const bt = await deps.db.prisma.balanceTransaction.findUniqueOrThrow({ where: { id: deposit.balanceTransactionId } });
    expect([bt.type, bt.amount.toFixed(), bt.net.toFixed(), bt.sourceId]).toEqual(["CRYPTO_DEPOSIT", "12345678", "12345678", deposit.id]);
    const event = await deps.db.prisma.balanceEvent.findFirstOrThrow({ where: { accountId: principal.tenantId, currency: "USDC" } });
    expect([event.available.toFixed(), event.balanceTransactionId]).toEqual(["12345678", deposit.balanceTransactionId]);
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });

  it("keep 18-decimal amounts exact: 10^30 wei", async () => {
    const principal = await insertPlatform(deps);
    const wallet = await walletWith(principal, 10n ** 30n);
    await simulateCryptoDeposit(deps, principal, { walletId: wallet.id, amount: 1n }, key());
    expect(await available(principal, principal.tenantId, "ETH")).toBe(10n ** 30n + 1n);
  });

  it.each([
    ["in live mode", "LIVE", 1n, "FORBIDDEN"],
    ["of zero", "OWN", 0n, "BAD_USER_INPUT"],
    ["beyond one operation's limit", "OWN", 10n ** 30n + 1n, "BAD_USER_INPUT"],
    ["to another tenant's wallet", "OTHER", 1n, "NOT_FOUND"],
  ])("are refused %s, writing nothing", async (_what, whose, amount, code) => {
    const principal = await insertPlatform(deps);
    const other = await insertPlatform(deps);
    const wallet = await walletWith(whose === "OTHER" ? other : principal, 0n, whose === "OTHER" ? other.tenantId : principal.tenantId);
    const caller = whose === "LIVE" ? { ...principal, livemode: true } : principal;
    const before = await cryptoFootprint(deps.db, principal.tenantId);
    await expect(simulateCryptoDeposit(deps, caller, { walletId: wallet.id, amount }, key())).rejects.toMatchObject({ code });
    expect(await cryptoFootprint(deps.db, principal.tenantId)).toEqual(before);
  });
});

describe("withdrawals", () => {
  it("debit amount + network fee at once, then go PENDING -> BROADCAST -> CONFIRMED one step at a time", async () => {
    const principal = await insertPlatform(deps);
    const wallet = await walletWith(principal, 2n * ONE_ETH);
    const created = await createCryptoWithdrawal(
      deps,
      principal,
      { walletId: wallet.id, address: ETH_OK.toLowerCase(), amount: ONE_ETH },
      key(),
    );
    expect(created).toMatchObject({ status: "PENDING", amount: ONE_ETH, networkFee: ETH_FEE, address: ETH_OK, transactionHash: null });
    expect(await available(principal, principal.tenantId, "ETH")).toBe(ONE_ETH - ETH_FEE);
    const bt = await deps.db.prisma.balanceTransaction.findUniqueOrThrow({ where: { id: created.balanceTransactionId } });
    expect([bt.type, bt.amount.toFixed(), bt.fee.toFixed(), bt.net.toFixed()]).toEqual([
      "CRYPTO_WITHDRAWAL",
      `-${ONE_ETH}`,
      `${ETH_FEE}`,
      `-${ONE_ETH + ETH_FEE}`,
    ]);

    await advanceDueWithdrawals(deps, { tenantId: principal.tenantId }); // not due yet: a step takes PAYOUT_STEP_MS
    expect((await withdrawal(principal, created.id)).status).toBe("PENDING");
    await stepAfter(principal, 61_000);
    const broadcast = await withdrawal(principal, created.id);
    expect(broadcast).toMatchObject({ status: "BROADCAST", transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    await stepAfter(principal, 61_000); // next_step_at is a minute after the broadcast, which was "61 s from now"
    expect((await withdrawal(principal, created.id)).status).toBe("BROADCAST");
    await stepAfter(principal, 123_000);
    const confirmed = await withdrawal(principal, created.id);
    expect(confirmed).toMatchObject({ status: "CONFIRMED", failureCode: null, nextStepAt: null, completedAt: expect.any(Date) });
    expect(await available(principal, principal.tenantId, "ETH")).toBe(ONE_ETH - ETH_FEE);
    await stepAfter(principal, 1_000_000);
    expect((await withdrawal(principal, created.id)).status).toBe("CONFIRMED");
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });

  it("to the failure address: FAILED after broadcast, amount and fee credited back by a reversal with its own balance transaction", async () => {
    const principal = await insertPlatform(deps);
    const wallet = await walletWith(principal, 2n * ONE_ETH);
    const created = await createCryptoWithdrawal(deps, principal, { walletId: wallet.id, address: ETH_FAILS, amount: ONE_ETH }, key());
    await stepAfter(principal, 61_000);
    await stepAfter(principal, 123_000);
    const failed = await withdrawal(principal, created.id);
    expect(failed).toMatchObject({
      status: "FAILED",
      failureCode: "rejected_by_network",
      failureBalanceTransactionId: expect.stringMatching(/^txn_/),
    });
    expect(await available(principal, principal.tenantId, "ETH")).toBe(2n * ONE_ETH);
    const reversal = await deps.db.prisma.ledgerTransaction.findFirstOrThrow({ where: { reversesId: created.ledgerTransactionId } });
    expect(reversal.kind).toBe("CRYPTO_WITHDRAWAL_FAILURE");
    const bt = await deps.db.prisma.balanceTransaction.findUniqueOrThrow({ where: { id: failed.failureBalanceTransactionId! } });
    expect([bt.type, bt.amount.toFixed(), bt.ledgerTransactionId]).toEqual([
      "CRYPTO_WITHDRAWAL_FAILURE",
      `${ONE_ETH + ETH_FEE}`,
      reversal.id,
    ]);
    await stepAfter(principal, 1_000_000);
    expect(await deps.db.prisma.ledgerTransaction.count({ where: { reversesId: created.ledgerTransactionId } })).toBe(1);
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });

  it("are advanced per tenant when asked so: another tenant's due withdrawal waits for its own run", async () => {
    const [mine, theirs] = [await insertPlatform(deps), await insertPlatform(deps)];
    const [a, b] = [await walletWith(mine, ONE_ETH), await walletWith(theirs, ONE_ETH)];
    const ours = await createCryptoWithdrawal(deps, mine, { walletId: a.id, address: ETH_OK, amount: 1n }, key());
    const other = await createCryptoWithdrawal(deps, theirs, { walletId: b.id, address: ETH_OK, amount: 1n }, key());
    await stepAfter(mine, 61_000);
    expect([(await withdrawal(mine, ours.id)).status, (await withdrawal(theirs, other.id)).status]).toEqual(["BROADCAST", "PENDING"]);
  });

  it("are advanced by two workers together, each withdrawal exactly once", async () => {
    const fast = await testDeps({ PAYOUT_STEP_MS: "0" });
    const principal = await insertPlatform(fast);
    const wallet = await createCryptoWallet(fast, principal, { accountId: principal.tenantId, asset: BTC! }, key());
    await simulateCryptoDeposit(fast, principal, { walletId: wallet.id, amount: 10n ** 8n }, key());
    const workers = [startCryptoWorker(fast, { pollMs: 10 }), startCryptoWorker(fast, { pollMs: 10 })];
    const ids: string[] = [];
    try {
      for (let i = 0; i < 10; i += 1) {
        const address = i % 2 === 0 ? "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" : "bc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq9e75rs";
        ids.push((await createCryptoWithdrawal(fast, principal, { walletId: wallet.id, address, amount: 10_000n + BigInt(i) }, key())).id);
      }
      const deadline = Date.now() + 20_000;
      while ((await fast.db.prisma.cryptoWithdrawal.count({ where: { id: { in: ids }, status: { in: ["PENDING", "BROADCAST"] } } })) > 0) {
        if (Date.now() > deadline) throw new Error("withdrawals did not complete");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    const done = await fast.db.prisma.cryptoWithdrawal.groupBy({ by: ["status"], where: { id: { in: ids } }, _count: true });
    expect(Object.fromEntries(done.map((g) => [g.status, g._count]))).toEqual({ CONFIRMED: 5, FAILED: 5 });
    expect(
      await fast.db.prisma.ledgerTransaction.count({ where: { tenantId: principal.tenantId, kind: "CRYPTO_WITHDRAWAL_FAILURE" } }),
    ).toBe(5);
    // Confirmed ones stay debited (amount + 1000 sat fee each); failed ones came back.
    const confirmed = [0, 2, 4, 6, 8].reduce((sum, i) => sum + 10_000n + BigInt(i) + 1_000n, 0n);
    expect(await available(principal, principal.tenantId, "BTC")).toBe(10n ** 8n - confirmed);
    expect((await verifyLedger(fast.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });

  it("keep moving when one withdrawal's step keeps failing: that one is postponed, the rest advance", async () => {
    const fast = await testDeps({ PAYOUT_STEP_MS: "0" });
    const principal = await insertPlatform(fast);
    const wallet = await createCryptoWallet(deps, principal, { accountId: principal.tenantId, asset: ETH! }, key());
    await simulateCryptoDeposit(deps, principal, { walletId: wallet.id, amount: ONE_ETH }, key());
    // Created not yet due (other files' workers share the database), then made due: the broken
    // one, a row no step can handle (a network the code does not know), before the good one.
    const broken = await createCryptoWithdrawal(deps, principal, { walletId: wallet.id, address: ETH_OK, amount: 1n }, key());
    const good = await createCryptoWithdrawal(deps, principal, { walletId: wallet.id, address: ETH_OK, amount: 2n }, key());
    await fast.db.sql.query(`UPDATE crypto_withdrawal SET network = 'atlantis', next_step_at = now() - interval '1 minute' WHERE id = $1`, [
      broken.id,
    ]);
    // Created with deps' step time (a minute): made quick like the worker's (each row keeps its own).
    await fast.db.sql.query(`UPDATE crypto_withdrawal SET next_step_at = now(), step_ms = 0 WHERE id = $1`, [good.id]);
    const worker = startCryptoWorker(fast, { pollMs: 10, tenantId: principal.tenantId, retryAfterMs: 3_600_000 });
    try {
      const deadline = Date.now() + 20_000;
      while ((await withdrawal(principal, good.id)).status !== "CONFIRMED") {
        if (Date.now() > deadline) throw new Error("the good withdrawal was held up by the broken one");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await worker.stop();
    }
    // Postponed (by this worker, or by another file's worker that met it first), still PENDING.
    const [row] = await fast.db.sql.query<{ status: string; later: boolean }>(
      `SELECT status::text AS status, next_step_at > now() AS later FROM crypto_withdrawal WHERE id = $1`,
      [broken.id],
    );
    expect(row).toEqual({ status: "PENDING", later: true });
    // Repaired, it goes on like any other (here, or in another file's worker that takes it first).
    await fast.db.sql.query(`UPDATE crypto_withdrawal SET network = 'ethereum', next_step_at = now() WHERE id = $1`, [broken.id]);
    const deadline = Date.now() + 10_000;
    while ((await withdrawal(principal, broken.id)).status === "PENDING") {
      if (Date.now() > deadline) throw new Error("the repaired withdrawal did not move");
      await advanceDueWithdrawals(fast, { tenantId: principal.tenantId, now: new Date(Date.now() + 1_000) });
    }
    expect((await verifyLedger(fast.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });

  it("replay the first result for a repeated key and refuse the key with other parameters", async () => {
    const principal = await insertPlatform(deps);
    const wallet = await walletWith(principal, ONE_ETH);
    const k = key();
    const input = { walletId: wallet.id, address: ETH_OK, amount: 1_000n };
    const first = await createCryptoWithdrawal(deps, principal, input, k);
    const before = await cryptoFootprint(deps.db, principal.tenantId);
    expect((await createCryptoWithdrawal(deps, principal, input, k)).id).toBe(first.id);
    await expect(createCryptoWithdrawal(deps, principal, { ...input, amount: 1_001n }, k)).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
    expect(await cryptoFootprint(deps.db, principal.tenantId)).toEqual(before);
  });

  it.each([
    ["an invalid address for the network", { address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" }, "BAD_USER_INPUT"],
    ["a wrong EIP-55 checksum", { address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" }, "BAD_USER_INPUT"],
    ["zero", { amount: 0n }, "BAD_USER_INPUT"],
    ["more than the balance (the fee comes on top)", { amount: ONE_ETH }, "INSUFFICIENT_FUNDS"],
    ["another tenant's wallet", { walletId: "OTHER" }, "NOT_FOUND"],
    ["an unknown wallet", { walletId: "cw_nope" }, "NOT_FOUND"],
    ["an account without payouts enabled", { walletId: "UNVERIFIED" }, "PAYOUTS_NOT_ENABLED"],
  ])("are refused for %s, writing nothing", async (_what, change, code) => {
    const principal = await insertPlatform(deps);
    const other = await insertPlatform(deps);
    const unverified = await insertConnectedAccount({ tenantId: principal.tenantId, status: "PENDING_VERIFICATION" });
    const wallets = {
      OWN: await walletWith(principal, ONE_ETH),
      OTHER: await walletWith(other, ONE_ETH),
      UNVERIFIED: await walletWith(principal, ONE_ETH, unverified),
    };
    const input = { walletId: wallets.OWN.id, address: ETH_OK, amount: 1_000n, ...change };
    if (input.walletId === "OTHER" || input.walletId === "UNVERIFIED") input.walletId = wallets[input.walletId].id;
    const before = await cryptoFootprint(deps.db, principal.tenantId);
    const balance = await available(principal, principal.tenantId, "ETH");
    await expect(createCryptoWithdrawal(deps, principal, input, key())).rejects.toMatchObject({ code });
    expect(await cryptoFootprint(deps.db, principal.tenantId)).toEqual(before);
    expect(await available(principal, principal.tenantId, "ETH")).toBe(balance);
  });
});

describe("the lifecycle template", () => {
  it("has the database guard refuse exactly the transitions the state machine refuses, and a changed destination once broadcast", async () => {
    const principal = await insertPlatform(deps);
    const wallet = await walletWith(principal, ONE_ETH);
    const model = await createCryptoWithdrawal(deps, principal, { walletId: wallet.id, address: ETH_OK, amount: 1n }, key());
    // Rows in every status that no worker claims (no next step): only the raw UPDATE moves them.
    const rowIn = async (status: WithdrawalStatus) => {
      const id = newId("cryptoWithdrawal");
      await insertWithdrawal(deps.db.sql, { ...model, id, status, nextStepAt: null });
      return id;
    };
    const check = await checkGuard(deps.db.sql, "crypto_withdrawal", withdrawalLifecycle, rowIn);
    expect(check.disagreements).toEqual([]);
    expect(check.refused).toBe(9); // 12 pairs, 3 legal
    await expect(deps.db.sql.query(`UPDATE crypto_withdrawal SET amount = 2 WHERE id = $1`, [model.id])).rejects.toThrow(/immutable/);
    await expect(
      deps.db.sql.query(`UPDATE crypto_withdrawal SET address = $2 WHERE id = $1`, [await rowIn("BROADCAST"), ETH_FAILS]),
    ).rejects.toThrow(/immutable/);
  });

  it("posts a failed withdrawal's reversal exactly once when its batch is rolled back by another withdrawal's failing step", async () => {
    const principal = await insertPlatform(deps);
    const wallet = await walletWith(principal, 2n * ONE_ETH);
    const failing = await createCryptoWithdrawal(deps, principal, { walletId: wallet.id, address: ETH_FAILS, amount: ONE_ETH }, key());
    await stepAfter(principal, 61_000); // BROADCAST, its failure due a minute later
    // A row no step can handle (a network the code does not know), due right after it.
    const broken = await createCryptoWithdrawal(deps, principal, { walletId: wallet.id, address: ETH_OK, amount: 1n }, key());
    await deps.db.sql.query(
      `UPDATE crypto_withdrawal SET network = 'atlantis', next_step_at = (SELECT next_step_at + interval '1 second' FROM crypto_withdrawal WHERE id = $2) WHERE id = $1`,
      [broken.id, failing.id],
    );
    const reversals = () => deps.db.prisma.ledgerTransaction.count({ where: { reversesId: failing.ledgerTransactionId } });
    const balance = await available(principal, principal.tenantId, "ETH");
    // The batch: the failing withdrawal's step (with its reversal), then the broken one's StepError: nothing commits.
    await expect(stepAfter(principal, 600_000)).rejects.toBeInstanceOf(StepError);
    expect((await withdrawal(principal, failing.id)).status).toBe("BROADCAST");
    expect(await reversals()).toBe(0);
    // One at a time, as the worker then goes: the failing withdrawal fails once, the broken one alone is refused.
    const now = new Date(Date.now() + 600_000);
    expect(await advanceDueWithdrawals(deps, { now, tenantId: principal.tenantId, limit: 1 })).toBe(1);
    await expect(advanceDueWithdrawals(deps, { now, tenantId: principal.tenantId, limit: 1 })).rejects.toMatchObject({ ids: [broken.id] });
    expect((await withdrawal(principal, failing.id)).status).toBe("FAILED");
    expect(await reversals()).toBe(1);
    expect(await available(principal, principal.tenantId, "ETH")).toBe(balance + ONE_ETH + ETH_FEE);
    // Repaired, so that no worker keeps postponing it.
    await deps.db.sql.query(`UPDATE crypto_withdrawal SET network = 'ethereum' WHERE id = $1`, [broken.id]);
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });
});
