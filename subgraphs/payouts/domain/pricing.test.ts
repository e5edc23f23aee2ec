import { describe, expect, it } from "vitest";
import { parseCurrency } from "../../shared/money/currency.ts";
import { checkMethodLimits, instantMaximum, payoutFee } from "./pricing.ts";

const USD = parseCurrency("USD")!;
const JPY = parseCurrency("JPY")!;

describe("payout fees", () => {
  it("charges nothing for STANDARD", () => {
    expect(payoutFee("STANDARD", 1_000_000n)).toBe(0n);
  });

  it("charges 1% for INSTANT, rounded up, at least 50 minor units", () => {
    expect(payoutFee("INSTANT", 100_000n)).toBe(1_000n);
    expect(payoutFee("INSTANT", 100_001n)).toBe(1_001n);
    expect(payoutFee("INSTANT", 5_000n)).toBe(50n);
    expect(payoutFee("INSTANT", 1n)).toBe(50n);
    expect(payoutFee("INSTANT", 5_001n)).toBe(51n);
  });

  it("limits an INSTANT payout to 10,000 whole units of its currency", () => {
    expect(instantMaximum(USD)).toBe(1_000_000n);
    expect(instantMaximum(JPY)).toBe(10_000n);
    expect(checkMethodLimits("INSTANT", { amount: 1_000_000n, currency: USD })).toBeUndefined();
    expect(checkMethodLimits("INSTANT", { amount: 1_000_001n, currency: USD })).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.amount",
    });
    expect(checkMethodLimits("STANDARD", { amount: 10n ** 12n, currency: USD })).toBeUndefined();
  });
});
