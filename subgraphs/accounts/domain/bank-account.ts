// External bank accounts: what a valid one looks like, and the rules about defaults.
//
// Supported: US accounts (ABA routing number + account number, USD) and IBAN accounts in the SEPA
// countries (EUR, and the local currency where it is supported: GBP in GB, CHF in CH and LI).
// The account number (or IBAN) is a secret: it is encrypted by the service and never echoed in
// a message; only its last four characters are ever shown.

import type { Currency } from "../../shared/money/currency.ts";
import { validateCountry, validateFiatCurrency } from "./account.ts";
import { bankNameForIban, bankNameForRoutingNumber } from "./banks.ts";
import { checkIban, ibanLength, normalizeIban } from "./iban.ts";
import { isRefusal, refuse, type InputRefusal } from "../../shared/refusal.ts";
import { requiredText, type StateRefusal } from "./problems.ts";
import { abaChecksumValid, abaPrefixValid } from "./routing-number.ts";

export const MAX_ACCOUNT_HOLDER_NAME = 200;
/** Active bank accounts per account: enough for every currency and a spare, not a dumping ground. */
export const MAX_EXTERNAL_ACCOUNTS = 20;

const SEPA = new Set(
  "AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO PL PT RO SE SI SK SM VA".split(" "),
);
const LOCAL_CURRENCY: Readonly<Record<string, string>> = { US: "USD", GB: "GBP", CH: "CHF", LI: "CHF" };

/** The currencies a bank account in `country` can receive; empty when the country is not supported. */
export function bankCurrencies(country: string): readonly string[] {
  if (country === "US") return ["USD"];
  if (!SEPA.has(country)) return [];
  const local = LOCAL_CURRENCY[country];
  return local ? ["EUR", local] : ["EUR"];
}

export interface NewBankAccountInput {
  readonly country: string;
  readonly currency: string;
  readonly accountHolderName: string;
  readonly routingNumber?: string | null | undefined;
  readonly accountNumber?: string | null | undefined;
  readonly iban?: string | null | undefined;
}

export type BankDetails =
  | { readonly scheme: "US_ABA"; readonly routingNumber: string; readonly accountNumber: string }
  | { readonly scheme: "IBAN"; readonly iban: string };

export interface ValidBankAccount {
  readonly country: string;
  readonly currency: Currency;
  readonly accountHolderName: string;
  readonly details: BankDetails;
  readonly routingNumber: string | null;
  readonly bankName: string | null;
  readonly last4: string;
  /** What is encrypted at rest: the account number, or the whole IBAN. */
  readonly secretNumber: string;
  /** What identifies the bank account, for its fingerprint (never stored or shown as such). */
  readonly identity: readonly string[];
}

function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value.trim() !== "";
}

function usDetails(input: NewBankAccountInput): BankDetails | InputRefusal {
  if (present(input.iban)) return refuse("BAD_USER_INPUT", "US bank accounts take routingNumber and accountNumber, not an IBAN", "iban");
  if (!present(input.routingNumber)) return refuse("BAD_USER_INPUT", "routingNumber is required for US bank accounts", "routingNumber");
  if (!present(input.accountNumber)) return refuse("BAD_USER_INPUT", "accountNumber is required for US bank accounts", "accountNumber");
  const routingNumber = input.routingNumber.trim();
  if (!/^\d{9}$/.test(routingNumber)) return refuse("BAD_USER_INPUT", "routingNumber must be 9 digits", "routingNumber");
  if (!abaChecksumValid(routingNumber)) {
    return refuse("BAD_USER_INPUT", "routingNumber is not a valid ABA routing number (checksum)", "routingNumber");
  }
  if (!abaPrefixValid(routingNumber)) {
    return refuse("BAD_USER_INPUT", "routingNumber is not a valid ABA routing number (unassigned prefix)", "routingNumber");
  }
  const accountNumber = input.accountNumber.trim();
  if (!/^\d{4,17}$/.test(accountNumber)) return refuse("BAD_USER_INPUT", "accountNumber must be 4 to 17 digits", "accountNumber");
  return { scheme: "US_ABA", routingNumber, accountNumber };
}

const IBAN_MESSAGES = {
  FORMAT: "iban must be a country code, two check digits and up to 30 letters or digits",
  COUNTRY: "iban has an unknown country code",
  LENGTH: "iban has the wrong length for its country",
  CHECKSUM: "iban is not valid (its check digits do not match)",
} as const;

function ibanDetails(input: NewBankAccountInput): BankDetails | InputRefusal {
  if (present(input.routingNumber) || present(input.accountNumber)) {
    const field = present(input.routingNumber) ? "routingNumber" : "accountNumber";
    return refuse("BAD_USER_INPUT", `bank accounts in ${input.country} take an iban, not ${field}`, field);
  }
  if (!present(input.iban)) return refuse("BAD_USER_INPUT", `iban is required for bank accounts in ${input.country}`, "iban");
  const iban = normalizeIban(input.iban);
  const problem = checkIban(iban);
  if (problem) {
    const expected = problem === "LENGTH" ? ` (${ibanLength(iban.slice(0, 2))} characters in ${iban.slice(0, 2)})` : "";
    return refuse("BAD_USER_INPUT", IBAN_MESSAGES[problem] + expected, "iban");
  }
  if (iban.slice(0, 2) !== input.country) {
    return refuse("BAD_USER_INPUT", `iban is from ${iban.slice(0, 2)}, but country is ${input.country}`, "iban");
  }
  return { scheme: "IBAN", iban };
}

export function validateBankAccount(input: NewBankAccountInput): ValidBankAccount | InputRefusal {
  const holder = requiredText("accountHolderName", input.accountHolderName, MAX_ACCOUNT_HOLDER_NAME);
  if (typeof holder !== "string") return holder;
  const inputProblem = validateCountry("country", input.country) ?? validateFiatCurrency("currency", input.currency);
  if (inputProblem) return inputProblem;
  const currencies = bankCurrencies(input.country);
  if (currencies.length === 0) {
    return refuse(
      "BAD_USER_INPUT",
      `bank accounts in ${input.country} are not supported yet (supported: US and SEPA countries)`,
      "country",
    );
  }
  if (!currencies.includes(input.currency)) {
    return refuse(
      "BAD_USER_INPUT",
      `bank accounts in ${input.country} receive ${currencies.join(" or ")}, not ${input.currency}`,
      "currency",
    );
  }
  const details = input.country === "US" ? usDetails(input) : ibanDetails(input);
  if (isRefusal(details)) return details;
  const base = { country: input.country, currency: input.currency as Currency, accountHolderName: holder, details };
  if (details.scheme === "US_ABA") {
    return {
      ...base,
      routingNumber: details.routingNumber,
      bankName: bankNameForRoutingNumber(details.routingNumber),
      last4: details.accountNumber.slice(-4),
      secretNumber: details.accountNumber,
      identity: ["US_ABA", details.routingNumber, details.accountNumber],
    };
  }
  return {
    ...base,
    routingNumber: null,
    bankName: bankNameForIban(details.iban),
    last4: details.iban.slice(-4),
    secretNumber: details.iban,
    identity: ["IBAN", details.iban],
  };
}

/** The first bank account of a currency becomes its default; later ones only when asked. */
export function becomesDefault(activeInCurrency: number, requested: boolean | null | undefined): boolean {
  return activeInCurrency === 0 || requested === true;
}

export interface BankAccountState {
  readonly currency: string;
  readonly defaultForCurrency: boolean;
  readonly removed: boolean;
}

/**
 * Removing the default of a currency that has other bank accounts would leave payouts without a
 * destination. (Removing a removed one changes nothing: the service answers it as it is.)
 */
export function refuseRemoval(target: BankAccountState, othersInCurrency: number): StateRefusal | undefined {
  if (target.defaultForCurrency && othersInCurrency > 0) {
    return refuse("INVALID_STATE", `This is the default bank account for ${target.currency}: make another one the default first`);
  }
  return undefined;
}

export function refuseDefault(target: BankAccountState): StateRefusal | undefined {
  if (target.removed) return refuse("INVALID_STATE", "The bank account is removed");
  return undefined;
}

/** Bank accounts of a closed account can be removed (its details need not linger), not added or changed. */
export function refuseBankAccountChanges(account: { readonly status: string }): StateRefusal | undefined {
  if (account.status === "CLOSED") return refuse("INVALID_STATE", "The account is closed");
  return undefined;
}
