import { describe, expect, it } from "vitest";
import { checkPosting, eventsFor, netOf } from "../../ledger/api.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { payoutDebitPosting, payoutReversalPosting, type PayoutMoney } from "./postings.ts";
import { testId } from "../../../test/support/fixtures.ts";

const payout: PayoutMoney = {
  payoutId: testId("payout", "po_1"),
  platformId: testId("account", "acct_platform"),
  accountId: testId("account", "acct_seller"),
  amount: 10_000n,
  fee: 100n,
  currency: parseCurrency("USD")!,
  ledgerTransactionId: "ltx_1",
};
const at = new Date("2026-11-24T00:00:00Z");

describe("payout postings", () => {
  it("debit amount plus fee, to payout clearing and fees, with one PAYOUT balance transaction", () => {
    const posting = payoutDebitPosting(payout, { id: testId("balanceTransaction", "txn_1"), at });
    expect(checkPosting(posting)).toBeUndefined();
    expect(posting.entries).toEqual([
      { accountId: testId("account", "acct_seller"), currency: "USD", kind: "AVAILABLE", amount: -10_100n },
      { accountId: testId("account", "acct_platform"), currency: "USD", kind: "PAYOUT_CLEARING", amount: 10_000n },
      { accountId: testId("account", "acct_platform"), currency: "USD", kind: "FEES", amount: 100n },
    ]);
    const bt = posting.balanceTransactions![0]!;
    expect({ type: bt.type, amount: bt.amount, fee: bt.fee, net: netOf(bt) }).toEqual({
      type: "PAYOUT",
      amount: -10_000n,
      fee: 100n,
      net: -10_100n,
    });
    expect(eventsFor([posting])).toEqual([
      {
        posting: 0,
        accountId: testId("account", "acct_seller"),
        currency: "USD",
        balanceTransactionId: testId("balanceTransaction", "txn_1"),
      },
    ]);
  });

  it("have no fee entry when the fee is zero (a zero entry would be refused)", () => {
    const posting = payoutDebitPosting({ ...payout, fee: 0n }, { id: testId("balanceTransaction", "txn_1"), at });
    expect(checkPosting(posting)).toBeUndefined();
    expect(posting.entries.map((e) => e.kind)).toEqual(["AVAILABLE", "PAYOUT_CLEARING"]);
  });

  it.each(["FAILED", "CANCELED"] as const)("reverse exactly on %s, crediting amount and fee back", (to) => {
    const debit = payoutDebitPosting(payout, { id: testId("balanceTransaction", "txn_1"), at });
    const credit = payoutReversalPosting(
      payout,
      to,
      { ledgerTransactionId: "ltx_2", balanceTransactionId: testId("balanceTransaction", "txn_2") },
      at,
      "back",
    );
    expect(checkPosting(credit)).toBeUndefined();
    expect(credit.reversesId).toBe("ltx_1");
    expect(credit.kind).toBe(to === "FAILED" ? "PAYOUT_FAILURE" : "PAYOUT_CANCEL");
    expect(credit.entries.map((e) => e.amount)).toEqual(debit.entries.map((e) => -e.amount));
    const bt = credit.balanceTransactions![0]!;
    expect({ type: bt.type, amount: bt.amount, net: netOf(bt) }).toEqual({ type: credit.kind, amount: 10_100n, net: 10_100n });
  });
});
