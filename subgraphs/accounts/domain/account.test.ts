import { describe, expect, it } from "vitest";
import { refuseChanges, refuseClosing, validateChanges, validateConnectedAccount, validatePlatform } from "./account.ts";

describe("platform validation", () => {
  it("accepts and trims a valid platform", () => {
    expect(validatePlatform({ displayName: "  Acme  ", country: "DE", defaultCurrency: "EUR" })).toEqual({
      displayName: "Acme",
      country: "DE",
      defaultCurrency: "EUR",
    });
  });

  it.each([
    [{ displayName: "", country: "US", defaultCurrency: "USD" }, "displayName"],
    [{ displayName: "A\u0000B", country: "US", defaultCurrency: "USD" }, "displayName"],
    [{ displayName: "A", country: "USA", defaultCurrency: "USD" }, "country"],
    [{ displayName: "A", country: "ZZ", defaultCurrency: "USD" }, "country"],
    [{ displayName: "A", country: "US", defaultCurrency: "DOGE" }, "defaultCurrency"],
    [{ displayName: "A", country: "US", defaultCurrency: "ETH" }, "defaultCurrency"],
  ])("refuses %o on %s", (input, field) => {
    expect(validatePlatform(input)).toMatchObject({ code: "BAD_USER_INPUT", argument: field });
  });
});

describe("connected account validation", () => {
  const input = {
    displayName: "Jane's Bakery",
    country: "US",
    defaultCurrency: "USD",
    email: " jane@example.com ",
    metadata: { user: "42" },
  };

  it("accepts and normalizes a connected account", () => {
    expect(validateConnectedAccount(input)).toEqual({
      displayName: "Jane's Bakery",
      country: "US",
      defaultCurrency: "USD",
      email: "jane@example.com",
      metadata: { user: "42" },
    });
    expect(validateConnectedAccount({ ...input, email: null, metadata: undefined })).toMatchObject({ email: null, metadata: {} });
  });

  it.each([
    [{ email: "not-an-email" }, "email"],
    [{ email: "a@b" }, "email"],
    [{ email: `${"a".repeat(320)}@example.com` }, "email"],
    [{ metadata: { k: 1 } }, "metadata"],
    [{ defaultCurrency: "BTC" }, "defaultCurrency"],
    [{ country: "XX" }, "country"],
  ])("refuses %o on %s", (change, field) => {
    expect(validateConnectedAccount({ ...input, ...change })).toMatchObject({ code: "BAD_USER_INPUT", argument: field });
  });

  it("validates changes: a name, an email to set or clear, metadata to merge", () => {
    expect(validateChanges({ displayName: " New ", email: null, metadata: { a: null } })).toEqual({
      displayName: "New",
      email: null,
      metadata: new Map([["a", null]]),
    });
    expect(validateChanges({})).toEqual({});
    expect(validateChanges({ displayName: "" })).toMatchObject({ code: "BAD_USER_INPUT", argument: "displayName" });
  });

  it("refuses changes to the platform and to closed accounts", () => {
    expect(refuseChanges({ type: "PLATFORM", status: "ACTIVE" })).toMatchObject({ code: "FORBIDDEN" });
    expect(refuseChanges({ type: "CONNECTED", status: "CLOSED" })).toMatchObject({ code: "INVALID_STATE" });
    expect(refuseChanges({ type: "CONNECTED", status: "RESTRICTED" })).toBeUndefined();
  });
});

describe("closing", () => {
  const connected = { type: "CONNECTED", status: "ACTIVE" } as const;

  it("closes a connected account with nothing on it", () => {
    expect(refuseClosing(connected)).toBeUndefined();
    expect(refuseClosing(connected, [{ currency: "USD", available: 0n, pending: 0n, held: 0n }])).toBeUndefined();
  });

  it("refuses while funds are available, pending or held, naming the currencies", () => {
    const refusal = refuseClosing(connected, [
      { currency: "USD", available: 0n, pending: 1n, held: 0n },
      { currency: "EUR", available: 5n, pending: 0n, held: 0n },
      { currency: "GBP", available: 0n, pending: 0n, held: 0n },
      { currency: "JPY", available: 0n, pending: 0n, held: 3n },
    ]);
    expect(refusal).toMatchObject({ code: "INVALID_STATE" });
    expect(refusal?.message).toMatch(/USD, EUR, JPY\)/);
  });

  it("never closes the platform", () => {
    expect(refuseClosing({ type: "PLATFORM", status: "ACTIVE" })).toMatchObject({ code: "FORBIDDEN" });
  });
});
