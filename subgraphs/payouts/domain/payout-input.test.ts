import { describe, expect, it } from "vitest";
import { checkPayoutMetadata, checkStatementDescriptor } from "./payout-input.ts";
import { railFailureFor } from "./rail.ts";

describe("statement descriptors", () => {
  it("accept up to 22 printable characters, or none", () => {
    expect(checkStatementDescriptor(undefined)).toBeUndefined();
    expect(checkStatementDescriptor(null)).toBeUndefined();
    expect(checkStatementDescriptor("ACME PAYOUT 2026-11")).toBe("ACME PAYOUT 2026-11");
    expect(checkStatementDescriptor("x".repeat(22))).toBe("x".repeat(22));
  });

  it.each(["x".repeat(23), "   ", "tab\there", "café", "<script>", 'say "hi"'])("refuse %j", (value) => {
    expect(checkStatementDescriptor(value)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.statementDescriptor" });
  });
});

describe("payout metadata", () => {
  it("follows the accounts' metadata rules", () => {
    expect(checkPayoutMetadata({ order: "42", code: "x" })).toEqual({ ok: true, metadata: { order: "42", code: "x" } });
    expect(checkPayoutMetadata(undefined)).toEqual({ ok: true, metadata: {} });
    expect(checkPayoutMetadata({ n: 1 })).toMatchObject({ ok: false, problem: { code: "BAD_USER_INPUT", argument: "input.metadata" } });
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(checkPayoutMetadata(many)).toMatchObject({ ok: false });
  });
});

describe("the simulated bank rail", () => {
  it("fails the documented test account numbers with their codes and pays everything else", () => {
    expect(railFailureFor({ accountNumber: "000111111116" })).toBe("no_account");
    expect(railFailureFor({ accountNumber: "000111111113" })).toBe("account_closed");
    expect(railFailureFor({ accountNumber: "000222222227" })).toBe("insufficient_funds");
    expect(railFailureFor({ accountNumber: "000123456789" })).toBeUndefined();
    expect(railFailureFor({ accountNumber: null })).toBeUndefined(); // IBAN
  });
});
