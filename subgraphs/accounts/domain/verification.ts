// Verification (simulated KYC) of connected accounts.
//
//   PENDING_VERIFICATION --submit, verified--> ACTIVE (payouts enabled)
//   PENDING_VERIFICATION --submit, rejected--> RESTRICTED (no payouts; resubmit to fix)
//   RESTRICTED           --submit, verified--> ACTIVE
//   live mode: a submission waits for review (no provider is connected): stays PENDING_VERIFICATION
//
// Test mode decides by the id number: "000000000" verifies, "111111111" is rejected, and any
// other well-formed id number verifies (test mode is lenient, as Stripe's is). A submission
// always carries the complete set of details; only the id number's last four are kept.

import type { AccountStatus, AccountType } from "./account.ts";
import { validateCountry } from "./account.ts";
import { isRefusal, refuse, type InputRefusal, type Refusal } from "../../shared/refusal.ts";
import { quote, requiredText, type StateRefusal } from "./problems.ts";

export const TEST_ID_NUMBERS = { verified: "000000000", rejected: "111111111" } as const;
export const MINIMUM_AGE = 18;
/** Earliest accepted birthday (Stripe's test fixtures use 1901-01-01). */
export const EARLIEST_BIRTH = "1900-01-01";

export type Requirement = "LEGAL_NAME" | "DATE_OF_BIRTH" | "ID_NUMBER" | "ADDRESS";
export type DisabledReason = "REQUIREMENTS_DUE" | "PENDING_REVIEW" | "VERIFICATION_FAILED" | "CLOSED";

export const ALL_REQUIREMENTS: readonly Requirement[] = ["LEGAL_NAME", "DATE_OF_BIRTH", "ID_NUMBER", "ADDRESS"];

export interface AddressInput {
  readonly line1: string;
  readonly city: string;
  readonly postalCode: string;
  readonly country: string;
}

export interface VerificationInput {
  readonly legalName: string;
  readonly dateOfBirth: string;
  readonly idNumber: string;
  readonly address: AddressInput;
}

export interface ValidVerification {
  readonly legalName: string;
  /** Midnight UTC of the birthday. */
  readonly dateOfBirth: Date;
  readonly idNumber: string;
  readonly idNumberLast4: string;
  readonly address: AddressInput;
}

function parseDateOfBirth(value: string, today: Date): Date | InputRefusal {
  const field = "dateOfBirth";
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !date || date.toISOString().slice(0, 10) !== value) {
    return refuse("BAD_USER_INPUT", `dateOfBirth must be a calendar date written YYYY-MM-DD, got ${quote(value)}`, field);
  }
  const age = ageOn(date, today);
  if (age < MINIMUM_AGE) return refuse("BAD_USER_INPUT", `the account holder must be at least ${MINIMUM_AGE} years old`, field);
  if (value < EARLIEST_BIRTH) return refuse("BAD_USER_INPUT", `dateOfBirth must be ${EARLIEST_BIRTH} or later`, field);
  return date;
}

export function ageOn(birth: Date, today: Date): number {
  let age = today.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday =
    today.getUTCMonth() < birth.getUTCMonth() || (today.getUTCMonth() === birth.getUTCMonth() && today.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

function parseIdNumber(value: string, country: string): string | InputRefusal {
  const field = "idNumber";
  // People write SSNs with dashes and spaces; the number is what remains.
  const normalized = value.replace(/[\s-]/g, "");
  if (country === "US" && !/^\d{9}$/.test(normalized))
    return refuse("BAD_USER_INPUT", "idNumber must be a 9-digit SSN or ITIN in the US", field);
  if (!/^[A-Za-z0-9]{4,20}$/.test(normalized)) return refuse("BAD_USER_INPUT", "idNumber must be 4 to 20 letters or digits", field);
  return normalized.toUpperCase();
}

function parseAddress(address: AddressInput): AddressInput | InputRefusal {
  const line1 = requiredText("address.line1", address.line1, 200);
  if (typeof line1 !== "string") return line1;
  const city = requiredText("address.city", address.city, 100);
  if (typeof city !== "string") return city;
  const countryProblem = validateCountry("address.country", address.country);
  if (countryProblem) return countryProblem;
  const postalCode = address.postalCode.trim().toUpperCase();
  const valid = address.country === "US" ? /^\d{5}(-\d{4})?$/.test(postalCode) : /^[A-Z0-9][A-Z0-9 -]{1,14}$/.test(postalCode);
  if (!valid) {
    const expected = address.country === "US" ? "a ZIP code such as 94107 or 94107-1234" : "2 to 15 letters, digits, spaces or dashes";
    return refuse("BAD_USER_INPUT", `address.postalCode must be ${expected}`, "address.postalCode");
  }
  return { line1, city, postalCode, country: address.country };
}

export function validateVerification(input: VerificationInput, today: Date): ValidVerification | InputRefusal {
  const legalName = requiredText("legalName", input.legalName, 200);
  if (typeof legalName !== "string") return legalName;
  const dateOfBirth = parseDateOfBirth(input.dateOfBirth.trim(), today);
  if (!(dateOfBirth instanceof Date)) return dateOfBirth;
  const address = parseAddress(input.address);
  if (isRefusal(address)) return address;
  const idNumber = parseIdNumber(input.idNumber, address.country);
  if (typeof idNumber !== "string") return idNumber;
  return { legalName, dateOfBirth, idNumber, idNumberLast4: idNumber.slice(-4), address };
}

export type Decision = "VERIFIED" | "REJECTED" | "PENDING_REVIEW";

export function decide(verification: ValidVerification, livemode: boolean): Decision {
  if (livemode) return "PENDING_REVIEW";
  return verification.idNumber === TEST_ID_NUMBERS.rejected ? "REJECTED" : "VERIFIED";
}

export interface VerifiableAccount {
  readonly type: AccountType;
  readonly status: AccountStatus;
}

export function refuseSubmission(account: VerifiableAccount): StateRefusal | undefined {
  if (account.type === "PLATFORM") return refuse("INVALID_STATE", "Platforms are verified by the operator");
  if (account.status === "CLOSED") return refuse("INVALID_STATE", "The account is closed");
  if (account.status === "ACTIVE") return refuse("INVALID_STATE", "The account is already verified");
  return undefined;
}

export function stateAfter(decision: Decision): { status: AccountStatus; payoutsEnabled: boolean } {
  switch (decision) {
    case "VERIFIED":
      return { status: "ACTIVE", payoutsEnabled: true };
    case "REJECTED":
      return { status: "RESTRICTED", payoutsEnabled: false };
    case "PENDING_REVIEW":
      return { status: "PENDING_VERIFICATION", payoutsEnabled: false };
  }
}

export interface Requirements {
  /** What must still be submitted (empty when nothing is). */
  readonly currentlyDue: readonly Requirement[];
  /** Why payouts are off, or null when they are on. */
  readonly disabledReason: DisabledReason | null;
}

export interface RequirementsState extends VerifiableAccount {
  readonly verificationSubmitted: boolean;
}

export function requirementsOf(account: RequirementsState): Requirements {
  if (account.type === "PLATFORM") return { currentlyDue: [], disabledReason: null };
  switch (account.status) {
    case "ACTIVE":
      return { currentlyDue: [], disabledReason: null };
    case "CLOSED":
      return { currentlyDue: [], disabledReason: "CLOSED" };
    case "RESTRICTED":
      return { currentlyDue: ["ID_NUMBER"], disabledReason: "VERIFICATION_FAILED" };
    case "PENDING_VERIFICATION":
      return account.verificationSubmitted
        ? { currentlyDue: [], disabledReason: "PENDING_REVIEW" }
        : { currentlyDue: ALL_REQUIREMENTS, disabledReason: "REQUIREMENTS_DUE" };
  }
}

/** The rule payouts depend on: only an active account with payouts enabled receives them. */
export function refusePayouts(
  account: VerifiableAccount & { readonly payoutsEnabled: boolean },
): Refusal<"PAYOUTS_NOT_ENABLED"> | undefined {
  if (account.status === "ACTIVE" && account.payoutsEnabled) return undefined;
  const why: Record<AccountStatus, string> = {
    PENDING_VERIFICATION: "the account is not verified yet",
    RESTRICTED: "the account is restricted (verification failed)",
    CLOSED: "the account is closed",
    ACTIVE: "payouts are disabled on this account",
  };
  return refuse("PAYOUTS_NOT_ENABLED", `Payouts are not enabled: ${why[account.status]}`);
}
