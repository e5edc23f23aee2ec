import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { MAX_MINOR_UNITS } from "../../shared/money/money.ts";
import { checkPosting, eventsFor, reversal, type Entry, type Posting } from "../../ledger/api.ts";
import { settlementPosting, topupPosting, transferPosting } from "./postings.ts";
import { testId } from "../../../test/support/fixtures.ts";

const USD = parseCurrency("USD")!;
const EUR = parseCurrency("EUR")!;

const entry = (accountId: string, amount: bigint, currency: Currency = USD, kind: Entry["kind"] = "AVAILABLE"): Entry => ({
  accountId: testId("account", accountId),
  currency,
  kind,
  amount,
});
const posting = (entries: Entry[]): Posting => ({ id: "ltx_1", kind: "TEST", entries });

describe("checkPosting", () => {
  it("accepts two or more entries that sum to zero per currency", () => {
    expect(checkPosting(posting([entry("a", -5n), entry("b", 5n)]))).toBeUndefined();
    expect(
      checkPosting(posting([entry("a", -5n), entry("b", 3n), entry("c", 2n), entry("a", -7n, EUR), entry("b", 7n, EUR)])),
    ).toBeUndefined();
  });

  it("refuses a posting that creates or destroys money", () => {
    expect(checkPosting(posting([entry("a", -5n), entry("b", 6n)]))).toMatchObject({ problem: "UNBALANCED", currency: "USD", sum: 1n });
  });

  it("refuses a posting balanced only across currencies", () => {
    expect(checkPosting(posting([entry("a", -5n, USD), entry("b", 5n, EUR)]))).toMatchObject({ problem: "UNBALANCED" });
  });

  it("refuses single-entry and zero-amount postings", () => {
    expect(checkPosting(posting([entry("a", 0n)]))).toMatchObject({ problem: "TOO_FEW_ENTRIES" });
    expect(checkPosting(posting([entry("a", 0n), entry("b", 0n)]))).toMatchObject({ problem: "ZERO_ENTRY" });
  });

  it("refuses amounts the database cannot hold", () => {
    expect(checkPosting(posting([entry("a", -(MAX_MINOR_UNITS + 1n)), entry("b", MAX_MINOR_UNITS + 1n)]))).toMatchObject({
      problem: "AMOUNT_OUT_OF_RANGE",
    });
  });

  it("refuses a balance transaction for an account the posting does not touch", () => {
    const bad: Posting = {
      ...posting([entry("a", -5n), entry("b", 5n)]),
      balanceTransactions: [
        {
          id: testId("balanceTransaction", "txn_x"),
          accountId: testId("account", "c"),
          type: "ADJUSTMENT",
          currency: USD,
          amount: 5n,
          fee: 0n,
          status: "AVAILABLE",
          availableOn: new Date(),
        },
      ],
    };
    expect(checkPosting(bad)).toMatchObject({ problem: "BALANCE_TRANSACTION_WITHOUT_ENTRY" });
  });
});

describe("reversal", () => {
  it("negates every entry, references the original, and balances", () => {
    const original = posting([entry("a", -5n), entry("b", 5n)]);
    const reversed = reversal(original, "ltx_2");
    expect(reversed).toMatchObject({ id: "ltx_2", reversesId: "ltx_1", kind: "TEST_REVERSAL" });
    expect(reversed.entries.map((e) => e.amount)).toEqual([5n, -5n]);
    expect(checkPosting(reversed)).toBeUndefined();
  });

  it("undoes any balanced posting exactly (property)", () => {
    const accounts = fc.constantFrom("a", "b", "c", "d");
    const arbitraryPosting = fc
      .array(fc.tuple(accounts, accounts, fc.bigInt({ min: 1n, max: 10n ** 30n }), fc.constantFrom(USD, EUR)), {
        minLength: 1,
        maxLength: 6,
      })
      .map((moves) =>
        posting(moves.flatMap(([from, to, amount, currency]) => [entry(from, -amount, currency), entry(to, amount, currency)])),
      );
    fc.assert(
      fc.property(arbitraryPosting, (p) => {
        expect(checkPosting(p)).toBeUndefined();
        const net = new Map<string, bigint>();
        for (const e of [...p.entries, ...reversal(p, "r").entries]) {
          const key = `${e.accountId}/${e.currency}`;
          net.set(key, (net.get(key) ?? 0n) + e.amount);
        }
        expect([...net.values()].every((v) => v === 0n)).toBe(true);
      }),
    );
  });
});

describe("operation postings", () => {
  const at = new Date("2026-01-01T00:00:00Z");

  it("balance for any amount (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 30n }), (amount) => {
        const topup = topupPosting({
          ledgerTransactionId: "l1",
          balanceTransactionId: testId("balanceTransaction", "t1"),
          topupId: "tu",
          platformId: testId("account", "p"),
          accountId: testId("account", "a"),
          amount,
          currency: USD,
          settlesAt: at,
        });
        const settle = settlementPosting({
          ledgerTransactionId: "l2",
          topupId: "tu",
          accountId: testId("account", "a"),
          amount,
          currency: USD,
          balanceTransactionId: testId("balanceTransaction", "t1"),
        });
        const transfer = transferPosting({
          ledgerTransactionId: "l3",
          transferId: "tr",
          platformId: testId("account", "p"),
          destinationAccountId: testId("account", "a"),
          amount,
          currency: USD,
          sourceBalanceTransactionId: testId("balanceTransaction", "t2"),
          destinationBalanceTransactionId: testId("balanceTransaction", "t3"),
          at,
        });
        for (const p of [topup, settle, transfer]) expect(checkPosting(p)).toBeUndefined();
      }),
    );
  });

  it("debit the platform and credit the connected account on a transfer, each with its own history", () => {
    const transfer = transferPosting({
      ledgerTransactionId: "l3",
      transferId: "tr",
      platformId: testId("account", "p"),
      destinationAccountId: testId("account", "a"),
      amount: 700n,
      currency: USD,
      sourceBalanceTransactionId: testId("balanceTransaction", "t2"),
      destinationBalanceTransactionId: testId("balanceTransaction", "t3"),
      at,
    });
    expect(transfer.entries).toEqual([entry("p", -700n), entry("a", 700n)]);
    expect(transfer.balanceTransactions?.map((bt) => [bt.accountId, bt.amount])).toEqual([
      ["p", -700n],
      ["a", 700n],
    ]);
  });
});

describe("eventsFor", () => {
  it("emits one event per posting and account-currency it changes, linked to its history row", () => {
    const at = new Date();
    const credit = topupPosting({
      ledgerTransactionId: "l1",
      balanceTransactionId: testId("balanceTransaction", "t1"),
      topupId: "tu",
      platformId: testId("account", "p"),
      accountId: testId("account", "a"),
      amount: 5n,
      currency: USD,
      settlesAt: at,
    });
    const settle = settlementPosting({
      ledgerTransactionId: "l2",
      topupId: "tu",
      accountId: testId("account", "a"),
      amount: 5n,
      currency: USD,
      balanceTransactionId: testId("balanceTransaction", "t1"),
    });
    expect(eventsFor([credit, settle])).toEqual([
      { posting: 0, accountId: testId("account", "a"), currency: USD, balanceTransactionId: testId("balanceTransaction", "t1") },
      { posting: 1, accountId: testId("account", "a"), currency: USD, balanceTransactionId: testId("balanceTransaction", "t1") },
    ]);
  });

  it("ignores clearing accounts: they are not anybody's balance", () => {
    const p = posting([entry("p", -5n, USD, "TOPUP_CLEARING"), entry("a", 5n, USD, "PENDING")]);
    expect(eventsFor([p]).map((e) => e.accountId)).toEqual(["a"]);
  });
});
