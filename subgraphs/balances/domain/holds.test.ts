import { describe, expect, it } from "vitest";
import { checkPosting, eventsFor, type Posting } from "../../ledger/api.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { testId } from "../../../test/support/fixtures.ts";
import {
  DEFAULT_HOLD_MS,
  captureDestinationId,
  capturePosting,
  checkCapture,
  checkCaptureDestination,
  checkHoldAccount,
  holdExpiry,
  holdPosting,
  holdStep,
  releasePosting,
  type HoldAction,
  type HoldMoney,
  type HoldStatus,
} from "./holds.ts";

const USD = parseCurrency("USD")!;
const seller = testId("account", "acct_seller");
const platform = testId("account", "acct_platform");
const other = testId("account", "acct_other");
const hold: HoldMoney = { id: testId("hold", "hold_1"), accountId: seller, amount: 1_000n, currency: USD };
const at = new Date("2026-11-30T00:00:00Z");
const DAY = 86_400_000;
const MAX = 30 * DAY;

/** What a posting does to each account's customer balances and balance transactions. */
function moves(posting: Posting) {
  const balances = new Map<string, bigint>();
  for (const e of posting.entries) balances.set(`${e.accountId} ${e.kind}`, (balances.get(`${e.accountId} ${e.kind}`) ?? 0n) + e.amount);
  const history = new Map<string, bigint>();
  for (const bt of posting.balanceTransactions ?? []) history.set(bt.accountId, (history.get(bt.accountId) ?? 0n) + bt.amount);
  return { balances: Object.fromEntries(balances), history: Object.fromEntries(history) };
}

describe("hold postings", () => {
  it("create: available to held, one HOLD balance transaction of −amount", () => {
    const posting = holdPosting(hold, { ledgerTransactionId: "ltx_1", balanceTransactionId: testId("balanceTransaction", "txn_1"), at });
    expect(checkPosting(posting)).toBeUndefined();
    expect(moves(posting)).toEqual({
      balances: { [`${seller} AVAILABLE`]: -1_000n, [`${seller} HELD`]: 1_000n },
      history: { [seller]: -1_000n },
    });
    expect(posting.balanceTransactions!.map((bt) => bt.type)).toEqual(["HOLD"]);
  });

  it("release and expiry: held back to available, one HOLD_RELEASE of +amount", () => {
    for (const kind of ["HOLD_RELEASE", "HOLD_EXPIRY"] as const) {
      const posting = releasePosting(hold, kind, {
        ledgerTransactionId: "ltx_2",
        balanceTransactionId: testId("balanceTransaction", "txn_2"),
        at,
      });
      expect(checkPosting(posting)).toBeUndefined();
      expect(posting.kind).toBe(kind);
      expect(moves(posting)).toEqual({
        balances: { [`${seller} AVAILABLE`]: 1_000n, [`${seller} HELD`]: -1_000n },
        history: { [seller]: 1_000n },
      });
      expect(posting.balanceTransactions!.map((bt) => bt.type)).toEqual(["HOLD_RELEASE"]);
    }
  });

  it.each([1n, 400n, 1_000n])("capture of %s: all of the hold leaves held, the captured part reaches the destination", (captured) => {
    const ids = {
      ledgerTransactionId: "ltx_3",
      captureBalanceTransactionId: testId("balanceTransaction", "txn_c"),
      releaseBalanceTransactionId: testId("balanceTransaction", "txn_r"),
      destinationBalanceTransactionId: testId("balanceTransaction", "txn_d"),
      at,
    };
    const posting = capturePosting(hold, captured, platform, ids);
    expect(checkPosting(posting)).toBeUndefined();
    // Balance transactions follow available: each account's sum equals its available change.
    expect(moves(posting)).toEqual({
      balances: { [`${seller} HELD`]: -1_000n, [`${seller} AVAILABLE`]: 1_000n - captured, [`${platform} AVAILABLE`]: captured },
      history: { [seller]: 1_000n - captured, [platform]: captured },
    });
    // One event per account, the holder's linked to its capture.
    expect(eventsFor([posting]).map((e) => [e.accountId, e.balanceTransactionId])).toEqual([
      [seller, ids.captureBalanceTransactionId],
      [platform, ids.destinationBalanceTransactionId],
    ]);
  });
});

describe("hold expiry", () => {
  it("defaults to 7 days, or the cap if shorter", () => {
    expect(holdExpiry(undefined, at, MAX)).toEqual(new Date(at.getTime() + DEFAULT_HOLD_MS));
    expect(holdExpiry(null, at, DAY)).toEqual(new Date(at.getTime() + DAY));
  });

  it("accepts a minute ahead up to the cap", () => {
    for (const ahead of [60_000, DAY, MAX])
      expect(holdExpiry(new Date(at.getTime() + ahead), at, MAX)).toEqual(new Date(at.getTime() + ahead));
  });

  it.each([
    ["in the past", -1_000, "at least one minute"],
    ["now", 0, "at least one minute"],
    ["under a minute ahead", 59_999, "at least one minute"],
    ["beyond the cap", MAX + 1, "at most 30 days"],
  ])("refuses %s, naming input.expiresAt", (_what, ahead, message) => {
    const refusal = holdExpiry(new Date(at.getTime() + ahead), at, MAX);
    expect(isRefusal(refusal) && [refusal.code, refusal.argument]).toEqual(["BAD_USER_INPUT", "input.expiresAt"]);
    expect(isRefusal(refusal) && refusal.message).toContain(message);
  });
});

describe("the hold state machine", () => {
  const live = { id: "hold_1", expiresAt: new Date(at.getTime() + DAY) };
  const cases: [HoldStatus, HoldAction, "before" | "after", string][] = [
    ["ACTIVE", "CAPTURE", "before", "CAPTURED"],
    ["ACTIVE", "RELEASE", "before", "RELEASED"],
    ["ACTIVE", "EXPIRE", "before", "INVALID_STATE"],
    ["ACTIVE", "CAPTURE", "after", "INVALID_STATE"],
    ["ACTIVE", "RELEASE", "after", "INVALID_STATE"],
    ["ACTIVE", "EXPIRE", "after", "EXPIRED"],
    ...(["CAPTURED", "RELEASED", "EXPIRED"] as const).flatMap((status) =>
      (["CAPTURE", "RELEASE", "EXPIRE"] as const).map((action): [HoldStatus, HoldAction, "before", string] => [
        status,
        action,
        "before",
        "INVALID_STATE",
      ]),
    ),
  ];
  it.each(cases)("%s, %s %s expiresAt: %s", (status, action, when, expected) => {
    const now = when === "before" ? at : live.expiresAt;
    const step = holdStep({ ...live, status }, action, now);
    expect(isRefusal(step) ? step.code : step.to).toBe(expected);
  });

  it("says why: already final, or expired", () => {
    const captured = holdStep({ ...live, status: "CAPTURED" }, "RELEASE", at);
    expect(isRefusal(captured) && captured.message).toContain("already captured");
    const expired = holdStep({ ...live, status: "ACTIVE" }, "CAPTURE", new Date(live.expiresAt.getTime() + 1));
    expect(isRefusal(expired) && expired.message).toContain("expired");
  });
});

describe("capture rules", () => {
  it("takes 1 up to the held amount", () => {
    expect(checkCapture(hold, 1n)).toEqual({ amount: 1n, currency: "USD" });
    expect(checkCapture(hold, 1_000n)).toEqual({ amount: 1_000n, currency: "USD" });
  });

  it.each([0n, -1n, 1_001n])("refuses %s as bad input on amount", (amount) => {
    const refusal = checkCapture(hold, amount);
    expect(isRefusal(refusal) && [refusal.code, refusal.argument]).toEqual(["BAD_USER_INPUT", "amount"]);
  });

  it("goes to the platform by default, never to the hold's own account", () => {
    expect(captureDestinationId({ accountId: seller, tenantId: platform }, undefined)).toBe(platform);
    expect(captureDestinationId({ accountId: seller, tenantId: platform }, other)).toBe(other);
    expect(captureDestinationId({ accountId: platform, tenantId: platform }, seller)).toBe(seller);
    for (const [holder, requested] of [
      [seller, seller],
      [platform, undefined],
      [platform, platform],
    ] as const) {
      const refusal = captureDestinationId({ accountId: holder, tenantId: platform }, requested);
      expect(isRefusal(refusal) && [refusal.code, refusal.argument]).toEqual(["BAD_USER_INPUT", "destinationAccountId"]);
    }
  });

  it("refuses closed accounts as INVALID_STATE", () => {
    const facts = { id: seller, type: "CONNECTED", status: "CLOSED", defaultCurrency: "USD" } as const;
    expect(checkHoldAccount(facts)?.code).toBe("INVALID_STATE");
    expect(checkCaptureDestination(facts)?.code).toBe("INVALID_STATE");
    expect(checkHoldAccount({ ...facts, status: "ACTIVE" })).toBeUndefined();
    expect(checkCaptureDestination({ ...facts, status: "RESTRICTED" })).toBeUndefined();
  });
});
