// Crypto under concurrent load: clients deposit, quote and execute (racing duplicate executions
// of one quote with different keys), replay keys and withdraw (some to the failure address)
// while two crypto workers advance withdrawals. Afterwards: the ledger's integrity check passes,
// no quote was executed twice, every acknowledged operation exists exactly once, and each
// customer balance equals what its crypto records say moved.
// Real Postgres when the suite runs with DATABASE_URL (CI does); PGlite interleaves the same
// clients on its single connection.

import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { usesPostgres } from "../../../test/support/database.ts";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { verifyLedger, readBalances } from "../../ledger/api.ts";
import { createTopup } from "../../balances/api.ts";
import { AppError } from "../../shared/errors.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { createCryptoQuote } from "./create-quote.ts";
import { createCryptoWallet } from "./create-wallet.ts";
import { createCryptoWithdrawal } from "./create-withdrawal.ts";
import { executeCryptoQuote } from "./execute-quote.ts";
import { simulateCryptoDeposit } from "./simulate-deposit.ts";
import { startCryptoWorker } from "./worker.ts";

const USD = parseCurrency("USD")!;
const ETH = parseCurrency("ETH")!;
const random = (n: number) => Math.floor(Math.random() * n);
const GWEI = 10n ** 9n;

describe("crypto under concurrent load", () => {
  it("never executes a quote twice, never overdraws, and keeps every balance equal to its records", async () => {
    const deps = await testDeps({ PAYOUT_STEP_MS: "0" });
    const principal = await insertPlatform(deps);
    const accounts = await Promise.all(Array.from({ length: 4 }, () => insertConnectedAccount({ tenantId: principal.tenantId })));
    const wallets = new Map<string, string>();
    for (const accountId of accounts) {
      wallets.set(accountId, (await createCryptoWallet(deps, principal, { accountId, asset: ETH }, randomUUID())).id);
      await createTopup(deps, principal, { accountId, amount: 50_000n, currency: USD }, randomUUID());
    }
    const workers = [startCryptoWorker(deps, { pollMs: 5 }), startCryptoWorker(deps, { pollMs: 5 })];
    const acked = { deposits: new Set<string>(), conversions: new Set<string>(), withdrawals: new Set<string>() };
    const refused = new Map<string, number>();
    const refuse = (error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      refused.set(error.code, (refused.get(error.code) ?? 0) + 1);
    };
    const deadline = Date.now() + (usesPostgres() ? 5_000 : 2_500);

    const client = async () => {
      while (Date.now() < deadline) {
        const accountId = accounts[random(accounts.length)]!;
        const walletId = wallets.get(accountId)!;
        const roll = random(100);
        try {
          if (roll < 25) {
            const key = randomUUID();
            const input = { walletId, amount: BigInt(1 + random(1_000_000)) * GWEI };
            const deposit = await simulateCryptoDeposit(deps, principal, input, key);
            acked.deposits.add(deposit.id);
            if (random(4) === 0) {
              expect((await simulateCryptoDeposit(deps, principal, input, key)).id).toBe(deposit.id);
              await expect(simulateCryptoDeposit(deps, principal, { walletId, amount: 1n }, key)).rejects.toMatchObject({
                code: "IDEMPOTENCY_KEY_REUSED",
              });
            }
          } else if (roll < 65) {
            const [from, to, amount] =
              random(2) === 0 ? [USD, ETH, BigInt(1 + random(5_000))] : [ETH, USD, BigInt(1 + random(2_000_000)) * GWEI];
            const quote = await createCryptoQuote(deps, principal, {
              accountId,
              sourceCurrency: from,
              destinationCurrency: to,
              sourceAmount: amount,
            });
            const racers = random(3) === 0 ? 2 : 1;
            const results = await Promise.allSettled(
              Array.from({ length: racers }, () => executeCryptoQuote(deps, principal, quote.id, randomUUID())),
            );
            for (const result of results) {
              if (result.status === "fulfilled") acked.conversions.add(result.value.id);
              else refuse(result.reason);
            }
          } else {
            const address = random(3) === 0 ? "0x000000000000000000000000000000000000dEaD" : "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
            const withdrawal = await createCryptoWithdrawal(
              deps,
              principal,
              { walletId, address, amount: BigInt(1 + random(2_000_000)) * GWEI },
              randomUUID(),
            );
            acked.withdrawals.add(withdrawal.id);
          }
        } catch (error) {
          refuse(error);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: usesPostgres() ? 12 : 4 }, client));
      const settleBy = Date.now() + 20_000;
      while (
        (await deps.db.prisma.cryptoWithdrawal.count({
          where: { tenantId: principal.tenantId, status: { in: ["PENDING", "BROADCAST"] } },
        })) > 0
      ) {
        if (Date.now() > settleBy) throw new Error("withdrawals did not complete");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }

    expect(acked.conversions.size).toBeGreaterThan(0);
    expect(acked.withdrawals.size).toBeGreaterThan(0);
    // Only typed refusals, and a quote never ran twice.
    expect(
      [...refused.keys()].every((code) =>
        ["INSUFFICIENT_FUNDS", "INVALID_STATE", "BAD_USER_INPUT", "IDEMPOTENCY_KEY_REUSED"].includes(code),
      ),
    ).toBe(true);
    const conversions = await deps.db.prisma.cryptoConversion.findMany({ where: { tenantId: principal.tenantId } });
    expect(new Set(conversions.map((c) => c.quoteId)).size).toBe(conversions.length);
    expect(new Set(conversions.map((c) => c.id))).toEqual(acked.conversions);
    const withdrawals = await deps.db.prisma.cryptoWithdrawal.findMany({ where: { tenantId: principal.tenantId } });
    expect(new Set(withdrawals.map((w) => w.id))).toEqual(acked.withdrawals);
    const deposits = await deps.db.prisma.cryptoDeposit.findMany({ where: { tenantId: principal.tenantId } });
    expect(new Set(deposits.map((d) => d.id))).toEqual(acked.deposits);

    // Each account's ETH and USD balances follow from its records, exactly.
    const balances = await readBalances(deps.db, principal, accounts);
    for (const accountId of accounts) {
      let eth = 0n;
      let usd = 50_000n;
      for (const d of deposits.filter((row) => row.accountId === accountId)) eth += BigInt(d.amount.toFixed());
      for (const c of conversions.filter((row) => row.accountId === accountId)) {
        const [out, into] = [BigInt(c.sourceAmount.toFixed()), BigInt(c.destinationAmount.toFixed())];
        if (c.sourceCurrency === "USD") [usd, eth] = [usd - out, eth + into];
        else [eth, usd] = [eth - out, usd + into];
      }
      for (const w of withdrawals.filter((row) => row.accountId === accountId && row.status !== "FAILED"))
        eth -= BigInt(w.amount.toFixed()) + BigInt(w.networkFee.toFixed());
      const held = balances.get(accountId)!;
      expect(held.find((b) => b.currency === "ETH")?.available ?? 0n).toBe(eth);
      expect(held.find((b) => b.currency === "USD")?.available ?? 0n).toBe(usd);
      expect(eth >= 0n && usd >= 0n).toBe(true);
    }
    expect(withdrawals.filter((w) => w.status === "FAILED").length).toBe(
      await deps.db.prisma.ledgerTransaction.count({ where: { tenantId: principal.tenantId, kind: "CRYPTO_WITHDRAWAL_FAILURE" } }),
    );
    const report = await verifyLedger(deps.db.sql, { tenantId: principal.tenantId });
    expect(report.problems).toEqual([]);
  });
});
