import { describe, expect, it } from "vitest";
import {
  ageOn,
  decide,
  refusePayouts,
  refuseSubmission,
  requirementsOf,
  stateAfter,
  validateVerification,
  type ValidVerification,
  type VerificationInput,
} from "./verification.ts";

const today = new Date("2026-06-15T12:00:00Z");
const input: VerificationInput = {
  legalName: "Jane Doe",
  dateOfBirth: "1990-01-31",
  idNumber: "000000000",
  address: { line1: "510 Townsend St", city: "San Francisco", postalCode: "94103", country: "US" },
};

describe("verification input", () => {
  it("accepts complete details and keeps only what it needs", () => {
    const valid = validateVerification({ ...input, idNumber: "000-00-0000" }, today) as ValidVerification;
    expect(valid.idNumber).toBe("000000000");
    expect(valid.idNumberLast4).toBe("0000");
    expect(valid.dateOfBirth.toISOString()).toBe("1990-01-31T00:00:00.000Z");
  });

  it.each([
    [{ dateOfBirth: "1990-02-30" }, "dateOfBirth"],
    [{ dateOfBirth: "31/01/1990" }, "dateOfBirth"],
    [{ dateOfBirth: "2010-01-01" }, "dateOfBirth"],
    [{ dateOfBirth: "1899-12-31" }, "dateOfBirth"],
    [{ legalName: " " }, "legalName"],
    [{ idNumber: "12345" }, "idNumber"],
    [{ idNumber: "00000000a" }, "idNumber"],
    [{ address: { ...input.address, postalCode: "ABC" } }, "address.postalCode"],
    [{ address: { ...input.address, country: "XX" } }, "address.country"],
    [{ address: { ...input.address, line1: "" } }, "address.line1"],
    [{ address: { ...input.address, city: "" } }, "address.city"],
  ])("refuses %o on %s", (change, field) => {
    expect(validateVerification({ ...input, ...change }, today)).toMatchObject({ code: "BAD_USER_INPUT", argument: field });
  });

  it("accepts the oldest plausible birthdays, such as Stripe's test date 1901-01-01", () => {
    expect(validateVerification({ ...input, dateOfBirth: "1901-01-01" }, today)).not.toHaveProperty("code");
    expect(validateVerification({ ...input, dateOfBirth: "1900-01-01" }, today)).not.toHaveProperty("code");
  });

  it("accepts non-US id numbers and postal codes", () => {
    const valid = validateVerification(
      { ...input, idNumber: "X1234567", address: { ...input.address, postalCode: "10115", country: "DE" } },
      today,
    );
    expect(valid).toMatchObject({ idNumber: "X1234567" });
  });

  it("counts age in whole years, birthdays included", () => {
    expect(ageOn(new Date("2008-06-15T00:00:00Z"), today)).toBe(18);
    expect(ageOn(new Date("2008-06-16T00:00:00Z"), today)).toBe(17);
    expect(validateVerification({ ...input, dateOfBirth: "2008-06-16" }, today)).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "dateOfBirth",
    });
    expect(validateVerification({ ...input, dateOfBirth: "2008-06-15" }, today)).not.toHaveProperty("code");
  });
});

describe("verification decisions (test mode values)", () => {
  const valid = (idNumber: string) => validateVerification({ ...input, idNumber }, today) as ValidVerification;

  it("verifies 000000000, rejects 111111111, verifies other well-formed numbers", () => {
    expect(decide(valid("000000000"), false)).toBe("VERIFIED");
    expect(decide(valid("111111111"), false)).toBe("REJECTED");
    expect(decide(valid("123456789"), false)).toBe("VERIFIED");
  });

  it("never verifies on its own in live mode", () => {
    expect(decide(valid("000000000"), true)).toBe("PENDING_REVIEW");
  });

  it("maps decisions to states: only a verified account may be paid", () => {
    expect(stateAfter("VERIFIED")).toEqual({ status: "ACTIVE", payoutsEnabled: true });
    expect(stateAfter("REJECTED")).toEqual({ status: "RESTRICTED", payoutsEnabled: false });
    expect(stateAfter("PENDING_REVIEW")).toEqual({ status: "PENDING_VERIFICATION", payoutsEnabled: false });
  });

  it("takes submissions for pending and restricted connected accounts only", () => {
    expect(refuseSubmission({ type: "CONNECTED", status: "PENDING_VERIFICATION" })).toBeUndefined();
    expect(refuseSubmission({ type: "CONNECTED", status: "RESTRICTED" })).toBeUndefined();
    expect(refuseSubmission({ type: "CONNECTED", status: "ACTIVE" })).toMatchObject({ code: "INVALID_STATE" });
    expect(refuseSubmission({ type: "CONNECTED", status: "CLOSED" })).toMatchObject({ code: "INVALID_STATE" });
    expect(refuseSubmission({ type: "PLATFORM", status: "ACTIVE" })).toMatchObject({ code: "INVALID_STATE" });
  });
});

describe("requirements", () => {
  it("lists everything before a submission, nothing once verified", () => {
    expect(requirementsOf({ type: "CONNECTED", status: "PENDING_VERIFICATION", verificationSubmitted: false })).toEqual({
      currentlyDue: ["LEGAL_NAME", "DATE_OF_BIRTH", "ID_NUMBER", "ADDRESS"],
      disabledReason: "REQUIREMENTS_DUE",
    });
    expect(requirementsOf({ type: "CONNECTED", status: "ACTIVE", verificationSubmitted: true })).toEqual({
      currentlyDue: [],
      disabledReason: null,
    });
    expect(requirementsOf({ type: "PLATFORM", status: "ACTIVE", verificationSubmitted: false })).toEqual({
      currentlyDue: [],
      disabledReason: null,
    });
  });

  it("asks a restricted account for its id number again, and explains a wait for review", () => {
    expect(requirementsOf({ type: "CONNECTED", status: "RESTRICTED", verificationSubmitted: true })).toEqual({
      currentlyDue: ["ID_NUMBER"],
      disabledReason: "VERIFICATION_FAILED",
    });
    expect(requirementsOf({ type: "CONNECTED", status: "PENDING_VERIFICATION", verificationSubmitted: true })).toEqual({
      currentlyDue: [],
      disabledReason: "PENDING_REVIEW",
    });
    expect(requirementsOf({ type: "CONNECTED", status: "CLOSED", verificationSubmitted: true }).disabledReason).toBe("CLOSED");
  });

  it("refuses payouts to any account that is not active with payouts enabled", () => {
    expect(refusePayouts({ type: "CONNECTED", status: "ACTIVE", payoutsEnabled: true })).toBeUndefined();
    expect(refusePayouts({ type: "CONNECTED", status: "RESTRICTED", payoutsEnabled: false })?.message).toMatch(/restricted/);
    expect(refusePayouts({ type: "CONNECTED", status: "PENDING_VERIFICATION", payoutsEnabled: false })?.message).toMatch(/not verified/);
    expect(refusePayouts({ type: "CONNECTED", status: "CLOSED", payoutsEnabled: false })?.message).toMatch(/closed/);
  });
});
