// The withdrawal lifecycle, what may be withdrawn, and the postings behind every crypto
// operation (each one balanced per currency, as the ledger requires).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPosting } from "../../ledger/api.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { failsOnChain } from "./chain.ts";
import { parseDecimal } from "../../shared/money/rational.ts";
import { priceConversion } from "./conversion.ts";
import { conversionPosting, depositPosting, withdrawalFailurePosting, withdrawalPosting } from "./postings.ts";
import { isRefusal } from "../../shared/refusal.ts";
import {
  canTransition,
  checkWithdrawal,
  isFinal,
  nextStep,
  WITHDRAWAL_STATUSES,
  type WithdrawalState,
  type WithdrawalStatus,
} from "./withdrawal.ts";
import { testId } from "../../../test/support/fixtures.ts";

const BTC = parseCurrency("BTC")!;
const ETH = parseCurrency("ETH")!;
const USD = parseCurrency("USD")!;
const USDC = parseCurrency("USDC")!;
const now = new Date("2026-01-01T00:00:00Z");
const active = { status: "ACTIVE", payoutsEnabled: true } as const;
const ethWallet = { asset: ETH, network: "ethereum", address: "0xe050eF901D93fDD2F59E3e29664BD60aFDD0Ce0B" } as const;
const GOOD_ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

describe("the withdrawal state machine", () => {
  it("allows exactly PENDING -> BROADCAST -> CONFIRMED | FAILED", () => {
    const allowed = WITHDRAWAL_STATUSES.flatMap((from) =>
      WITHDRAWAL_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed).toEqual(["PENDING->BROADCAST", "BROADCAST->CONFIRMED", "BROADCAST->FAILED"]);
    expect(WITHDRAWAL_STATUSES.filter(isFinal)).toEqual(["CONFIRMED", "FAILED"]);
  });

  const walk = (address: string, network: WithdrawalState["network"] = "ethereum") => {
    const statuses: WithdrawalStatus[] = ["PENDING"];
    let state: WithdrawalState = { id: "cwd_1", status: "PENDING", network, address, livemode: false };
    for (let step = nextStep(state, now, 1000); step; step = nextStep(state, now, 1000)) {
      expect(canTransition(step.from, step.to)).toBe(true);
      expect(step.from).toBe(state.status);
      state = { ...state, status: step.to };
      statuses.push(step.to);
    }
    return statuses;
  };

  it("confirms a withdrawal to an ordinary address", () => {
    expect(walk(GOOD_ETH)).toEqual(["PENDING", "BROADCAST", "CONFIRMED"]);
  });

  it.each([
    ["ethereum", "0x000000000000000000000000000000000000dEaD"],
    ["bitcoin", "bc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq9e75rs"],
    ["bitcoin", "tb1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq0l98cr"],
    ["solana", "11111111111111111111111111111111"],
  ] as const)("fails a %s withdrawal to the documented failure address %s, after broadcast", (network, address) => {
    expect(walk(address, network)).toEqual(["PENDING", "BROADCAST", "FAILED"]);
  });

  it("broadcasts with a simulated transaction hash and schedules the next step one step later", () => {
    const step = nextStep({ id: "cwd_1", status: "PENDING", network: "ethereum", address: GOOD_ETH, livemode: false }, now, 3000);
    expect(step).toMatchObject({
      to: "BROADCAST",
      transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      nextStepAt: new Date(now.getTime() + 3000),
    });
  });

  it("fails on chain only for all-zero payloads, possibly ending in 0xdead", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 32 }), (bytes) => {
        const zeroish =
          bytes.every((b) => b === 0) || (bytes.subarray(0, -2).every((b) => b === 0) && bytes.at(-2) === 0xde && bytes.at(-1) === 0xad);
        expect(failsOnChain(bytes)).toBe(zeroish);
      }),
    );
  });
});

describe("what may be withdrawn", () => {
  it("charges the network fee on top of the amount", () => {
    expect(checkWithdrawal({ amount: 10n ** 18n, address: GOOD_ETH.toLowerCase() }, ethWallet, active, false)).toMatchObject({
      amount: 10n ** 18n,
      networkFee: 5n * 10n ** 14n,
      total: 10n ** 18n + 5n * 10n ** 14n,
      destination: { address: GOOD_ETH },
    });
  });

  it.each([
    ["a zero amount", { amount: 0n, address: GOOD_ETH }, active, "BAD_USER_INPUT", "input.amount"],
    ["more than one operation may move", { amount: 10n ** 30n + 1n, address: GOOD_ETH }, active, "BAD_USER_INPUT", "input.amount"],
    [
      "a bitcoin address on ethereum",
      { amount: 1n, address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" },
      active,
      "BAD_USER_INPUT",
      "input.address",
    ],
    [
      "a bad EIP-55 checksum",
      { amount: 1n, address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" },
      active,
      "BAD_USER_INPUT",
      "input.address",
    ],
    ["the wallet's own deposit address", { amount: 1n, address: ethWallet.address }, active, "BAD_USER_INPUT", "input.address"],
    ["a closed account", { amount: 1n, address: GOOD_ETH }, { status: "CLOSED", payoutsEnabled: false }, "INVALID_STATE", undefined],
    [
      "an account without payouts",
      { amount: 1n, address: GOOD_ETH },
      { status: "PENDING_VERIFICATION", payoutsEnabled: false },
      "PAYOUTS_NOT_ENABLED",
      undefined,
    ],
  ] as const)("refuses %s", (_what, input, account, code, argument) => {
    const result = checkWithdrawal(input, ethWallet, account, false);
    expect(isRefusal(result)).toBe(true);
    expect(result).toMatchObject({ code, ...(argument ? { argument } : {}) });
  });
});

describe("crypto postings balance in every currency", () => {
  it("for conversions, withdrawals, their failures and deposits, whatever the amounts", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        fc.integer({ min: 0, max: 500 }),
        fc.bigInt({ min: 1n, max: 10n ** 20n }),
        (cents, bps, sats) => {
          const terms = priceConversion(
            { sourceCurrency: USD, destinationCurrency: BTC, sourceAmount: cents },
            parseDecimal("0.00002")!,
            bps,
          );
          const ids = {
            sourceBalanceTransactionId: testId("balanceTransaction", "txn_s"),
            destinationBalanceTransactionId: testId("balanceTransaction", "txn_d"),
            at: now,
          };
          if (!isRefusal(terms)) {
            const posting = conversionPosting({
              ledgerTransactionId: "ltx_c",
              conversionId: "cc_1",
              platformId: testId("account", "acct_p"),
              accountId: testId("account", "acct_a"),
              terms,
              ...ids,
            });
            expect(checkPosting(posting)).toBeUndefined();
            const net = posting.balanceTransactions!.map((bt) => bt.amount - bt.fee);
            expect(net).toEqual([-cents, terms.destinationAmount]); // net is what each balance moved
          }
          const withdrawal = {
            ledgerTransactionId: "ltx_w",
            withdrawalId: "cwd_1",
            platformId: testId("account", "acct_p"),
            accountId: testId("account", "acct_a"),
            asset: BTC,
            amount: sats,
            networkFee: 1000n,
            balanceTransactionId: testId("balanceTransaction", "txn_w"),
            at: now,
          };
          const created = withdrawalPosting(withdrawal);
          const failed = withdrawalFailurePosting(withdrawal, "ltx_f", testId("balanceTransaction", "txn_f"), now);
          expect(checkPosting(created)).toBeUndefined();
          expect(checkPosting(failed)).toBeUndefined();
          expect(failed.reversesId).toBe("ltx_w");
          // Together they leave every ledger account where it was.
          const sum = new Map<string, bigint>();
          for (const e of [...created.entries, ...failed.entries])
            sum.set(`${e.accountId}:${e.kind}`, (sum.get(`${e.accountId}:${e.kind}`) ?? 0n) + e.amount);
          expect([...sum.values()].every((v) => v === 0n)).toBe(true);
          expect(created.balanceTransactions![0]!.amount - created.balanceTransactions![0]!.fee).toBe(-(sats + 1000n));
          expect(failed.balanceTransactions![0]!.amount).toBe(sats + 1000n);
          const deposit = depositPosting({
            ledgerTransactionId: "ltx_d",
            depositId: "cdp_1",
            platformId: testId("account", "acct_p"),
            accountId: testId("account", "acct_a"),
            asset: USDC,
            amount: sats,
            balanceTransactionId: testId("balanceTransaction", "txn_d"),
            at: now,
          });
          expect(checkPosting(deposit)).toBeUndefined();
        },
      ),
    );
  });
});
