import { describe, expect, it } from "vitest";
import { parseCurrency } from "../../shared/money/currency.ts";
import { checkAmount, checkDescription, checkTopup, checkTransferDestination, type AccountFacts } from "./money-movement.ts";

const USD = parseCurrency("USD")!;
const EUR = parseCurrency("EUR")!;
const BTC = parseCurrency("BTC")!;
const ETH = parseCurrency("ETH")!;
const connected: AccountFacts = { id: "acct_c", type: "CONNECTED", status: "ACTIVE", defaultCurrency: "USD" };

describe("amounts", () => {
  it.each([0n, -1n, -(10n ** 20n)])("refuses %s", (amount) => {
    expect(checkAmount(amount, USD)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.amount" });
  });

  it("caps one operation at a trillion whole units", () => {
    expect(checkAmount(10n ** 14n, USD)).toEqual({ amount: 10n ** 14n, currency: USD });
    expect(checkAmount(10n ** 14n + 1n, USD)).toMatchObject({
      code: "BAD_USER_INPUT",
      message: expect.stringContaining("1000000000000.00 USD"),
    });
    expect(checkAmount(10n ** 30n, ETH)).toEqual({ amount: 10n ** 30n, currency: ETH });
  });
});

describe("transfers", () => {
  const money = { amount: 100n, currency: USD };
  it("go to an open connected account in its own currency", () => {
    expect(checkTransferDestination(connected, money)).toBeUndefined();
  });
  it("refuse the platform itself", () => {
    expect(checkTransferDestination({ ...connected, type: "PLATFORM" }, money)).toMatchObject({ code: "BAD_USER_INPUT" });
  });
  it("refuse a closed account", () => {
    expect(checkTransferDestination({ ...connected, status: "CLOSED" }, money)).toMatchObject({ code: "INVALID_STATE" });
  });
  it("refuse another currency", () => {
    expect(checkTransferDestination(connected, { amount: 100n, currency: EUR })).toMatchObject({ code: "CURRENCY_MISMATCH" });
  });
});

describe("top-ups", () => {
  it("are fiat only, into open accounts", () => {
    expect(checkTopup(connected, { amount: 1n, currency: EUR })).toBeUndefined();
    expect(checkTopup(connected, { amount: 1n, currency: BTC })).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(checkTopup({ ...connected, status: "CLOSED" }, { amount: 1n, currency: USD })).toMatchObject({ code: "INVALID_STATE" });
  });
  it("accept a printable description up to 500 characters", () => {
    expect(checkDescription("Payroll\nJune")).toBe("Payroll\nJune");
    expect(checkDescription("x".repeat(501))).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(checkDescription("bell\u0007")).toMatchObject({ code: "BAD_USER_INPUT" });
  });
});
