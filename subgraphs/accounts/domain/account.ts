// Accounts: platforms (tenants) and the connected accounts they pay. Pure rules, no I/O.

import { currencyInfo, isCurrency, type Currency } from "../../shared/money/currency.ts";
import { isPrintableText } from "../../shared/text.ts";
import { isCountry } from "./countries.ts";
import { parseMetadata, parseMetadataChanges, type Metadata } from "./metadata.ts";
import { isRefusal, refuse, type InputRefusal } from "../../shared/refusal.ts";
import { characters, quote, requiredText, type StateRefusal } from "./problems.ts";

export type AccountType = "PLATFORM" | "CONNECTED";
export type AccountStatus = "PENDING_VERIFICATION" | "ACTIVE" | "RESTRICTED" | "CLOSED";

export interface NewPlatformInput {
  readonly displayName: string;
  readonly country: string;
  readonly defaultCurrency: string;
}

export interface ValidPlatform {
  readonly displayName: string;
  readonly country: string;
  readonly defaultCurrency: Currency;
}

export const MAX_DISPLAY_NAME = 200;
export const MAX_EMAIL = 320;

export function validateDisplayName(value: string): InputRefusal | undefined {
  const checked = requiredText("displayName", value, MAX_DISPLAY_NAME);
  return typeof checked === "string" ? undefined : checked;
}

export function validateCountry(field: string, value: string): InputRefusal | undefined {
  if (isCountry(value)) return undefined;
  return refuse("BAD_USER_INPUT", `${field} must be an ISO 3166-1 alpha-2 code such as "US", got ${quote(value, 8)}`, field);
}

/** Accounts hold and pay out money in a fiat currency; crypto lives in wallets. */
export function validateFiatCurrency(field: string, value: string): InputRefusal | undefined {
  if (isCurrency(value) && currencyInfo(value).kind === "fiat") return undefined;
  return refuse("BAD_USER_INPUT", `${field} must be a supported fiat currency such as "USD", got ${quote(value, 8)}`, field);
}

export function validatePlatform(input: NewPlatformInput): ValidPlatform | InputRefusal {
  const problem =
    validateDisplayName(input.displayName) ??
    validateCountry("country", input.country) ??
    validateFiatCurrency("defaultCurrency", input.defaultCurrency);
  if (problem) return problem;
  return { displayName: input.displayName.trim(), country: input.country, defaultCurrency: input.defaultCurrency as Currency };
}

/** Platforms created by the operator in test mode start verified and able to pay out. */
export const NEW_PLATFORM_STATE = { status: "ACTIVE", payoutsEnabled: true } as const satisfies {
  status: AccountStatus;
  payoutsEnabled: boolean;
};

/** Connected accounts start unverified: nothing can be paid to them until they are verified. */
export const NEW_CONNECTED_ACCOUNT_STATE = { status: "PENDING_VERIFICATION", payoutsEnabled: false } as const satisfies {
  status: AccountStatus;
  payoutsEnabled: boolean;
};

export interface NewConnectedAccountInput {
  readonly displayName: string;
  readonly country: string;
  readonly defaultCurrency: string;
  readonly email?: string | null | undefined;
  readonly metadata?: unknown;
}

export interface ValidConnectedAccount extends ValidPlatform {
  readonly email: string | null;
  readonly metadata: Metadata;
}

function validateEmail(value: string | null | undefined): string | null | InputRefusal {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === "") return null;
  // Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
  if (characters(trimmed) > MAX_EMAIL || !isPrintableText(trimmed) || !/^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(trimmed)) {
    return refuse("BAD_USER_INPUT", 'email must be an address such as "jane@example.com"', "email");
  }
  return trimmed;
}

export function validateConnectedAccount(input: NewConnectedAccountInput): ValidConnectedAccount | InputRefusal {
  const platform = validatePlatform(input);
  if (isRefusal(platform)) return platform;
  const email = validateEmail(input.email);
  if (email !== null && typeof email !== "string") return email;
  const metadata = parseMetadata(input.metadata);
  if (!metadata.ok) return metadata.problem;
  return { ...platform, email, metadata: metadata.metadata };
}

export interface ConnectedAccountChanges {
  readonly displayName?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly metadata?: unknown;
}

export interface ValidChanges {
  readonly displayName?: string;
  /** null clears the email. */
  readonly email?: string | null;
  /** Keys to set, or to remove (null). */
  readonly metadata?: ReadonlyMap<string, string | null>;
}

export function validateChanges(input: ConnectedAccountChanges): ValidChanges | InputRefusal {
  const changes: { displayName?: string; email?: string | null; metadata?: ReadonlyMap<string, string | null> } = {};
  if (input.displayName !== undefined && input.displayName !== null) {
    const name = requiredText("displayName", input.displayName, MAX_DISPLAY_NAME);
    if (typeof name !== "string") return name;
    changes.displayName = name;
  }
  if (input.email !== undefined) {
    const email = validateEmail(input.email);
    if (email !== null && typeof email !== "string") return email;
    changes.email = email;
  }
  if (input.metadata !== undefined && input.metadata !== null) {
    const metadata = parseMetadataChanges(input.metadata, true);
    if (!(metadata instanceof Map)) return metadata;
    changes.metadata = metadata;
  }
  return changes;
}

export interface AccountState {
  readonly type: AccountType;
  readonly status: AccountStatus;
}

/** Whether a connected account may be changed (details, bank accounts, verification). */
export function refuseChanges(account: AccountState): StateRefusal | undefined {
  if (account.type === "PLATFORM") return refuse("FORBIDDEN", "The platform's own account is managed by the operator");
  if (account.status === "CLOSED") return refuse("INVALID_STATE", "The account is closed");
  return undefined;
}

export interface HeldFunds {
  readonly currency: string;
  readonly available: bigint;
  readonly pending: bigint;
  readonly held: bigint;
}

/**
 * Closing: only connected accounts, and only with nothing left on them (money on a closed
 * account could neither be paid out nor transferred). Closing a closed account changes nothing.
 */
export function refuseClosing(account: AccountState, balances: readonly HeldFunds[] = []): StateRefusal | undefined {
  if (account.type === "PLATFORM") return refuse("FORBIDDEN", "A platform cannot close its own account; ask the operator");
  const held = balances
    .filter((balance) => balance.available !== 0n || balance.pending !== 0n || balance.held !== 0n)
    .map((balance) => balance.currency);
  if (held.length > 0) {
    return refuse(
      "INVALID_STATE",
      `The account still holds funds (${held.join(", ")}): pay them out, wait for pending funds and settle its holds first`,
    );
  }
  return undefined;
}

export const CLOSED_STATE = { status: "CLOSED", payoutsEnabled: false } as const satisfies {
  status: AccountStatus;
  payoutsEnabled: boolean;
};
