import { describe, expect, it } from "vitest";
import { isRefusal } from "../../shared/refusal.ts";
import { canTransition, isFinal, nextRailEvent, PAYOUT_STATUSES, transition, type PayoutStatus } from "./lifecycle.ts";

const LEGAL: [PayoutStatus, PayoutStatus][] = [
  ["PENDING", "IN_TRANSIT"],
  ["PENDING", "CANCELED"],
  ["PENDING", "FAILED"],
  ["IN_TRANSIT", "PAID"],
  ["IN_TRANSIT", "FAILED"],
];

describe("the payout state machine", () => {
  it("allows exactly the documented transitions", () => {
    for (const from of PAYOUT_STATUSES) {
      for (const to of PAYOUT_STATUSES) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(LEGAL.some(([f, t]) => f === from && t === to));
      }
    }
  });

  it("has PAID, FAILED and CANCELED as final states", () => {
    expect(PAYOUT_STATUSES.filter(isFinal)).toEqual(["PAID", "FAILED", "CANCELED"]);
  });

  it("cancels only a pending payout, and says why otherwise", () => {
    const ok = transition("PENDING", { type: "CANCEL" });
    expect(ok).toEqual({ from: "PENDING", to: "CANCELED", failure: undefined, reversesDebit: true });
    for (const from of ["IN_TRANSIT", "PAID", "FAILED", "CANCELED"] as const) {
      const refused = transition(from, { type: "CANCEL" });
      expect(isRefusal(refused)).toBe(true);
      expect(refused).toMatchObject({ code: "INVALID_STATE", message: expect.stringContaining(from) });
    }
  });

  it("reverses the debit on failure and cancellation only, and carries the failure", () => {
    const failure = { code: "account_closed", message: "closed" };
    expect(transition("IN_TRANSIT", { type: "FAIL", failure })).toEqual({ from: "IN_TRANSIT", to: "FAILED", failure, reversesDebit: true });
    expect(transition("IN_TRANSIT", { type: "PAY" })).toMatchObject({ to: "PAID", reversesDebit: false });
    expect(transition("PENDING", { type: "SEND" })).toMatchObject({ to: "IN_TRANSIT", reversesDebit: false });
    expect(isRefusal(transition("PENDING", { type: "PAY" }))).toBe(true);
    expect(isRefusal(transition("PAID", { type: "FAIL", failure }))).toBe(true);
  });

  it("lets the bank rail send, then pay or fail with the answer decided at creation", () => {
    const failure = { code: "no_account", message: "no" };
    expect(nextRailEvent("PENDING", failure)).toEqual({ type: "SEND" });
    expect(nextRailEvent("IN_TRANSIT", undefined)).toEqual({ type: "PAY" });
    expect(nextRailEvent("IN_TRANSIT", failure)).toEqual({ type: "FAIL", failure });
    for (const final of ["PAID", "FAILED", "CANCELED"] as const) expect(nextRailEvent(final, undefined)).toBeUndefined();
  });
});
