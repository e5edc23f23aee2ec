// The API's typed error codes, in words for people. Every refusal the dashboard can meet has a
// sentence; anything else says what the code was.

import { CombinedGraphQLErrors } from "@apollo/client";

const WORDS: Record<string, string> = {
  UNAUTHENTICATED: "This key is not valid (revoked, expired or mistyped). Sign in again.",
  FORBIDDEN: "This key may not do that.",
  NOT_FOUND: "That account or object does not exist for this platform.",
  BAD_USER_INPUT: "Some of what was entered is not valid",
  INSUFFICIENT_FUNDS: "Not enough available funds for this.",
  INVALID_STATE: "That cannot be done in the object's current state.",
  CURRENCY_MISMATCH: "The currency does not match the account's.",
  PAYOUTS_NOT_ENABLED: "Payouts are not enabled for this account: its verification is not complete.",
  IDEMPOTENCY_KEY_REUSED: "This submission's key was already used for a different request.",
  QUOTE_EXPIRED: "The quote has expired: ask for a new one.",
  RATE_LIMITED: "Too many requests: wait a moment and try again.",
  IDEMPOTENCY_KEY_IN_USE: "The same request is still being processed: try again in a moment.",
  SERVICE_UNAVAILABLE: "The service is briefly unavailable: try again in a moment.",
};

/** The error's sentence: by its code, with the API's own message for bad input. */
export function describeError(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const code = String(first?.extensions?.["code"] ?? "");
    const words = WORDS[code];
    if (code === "BAD_USER_INPUT") return `${words}: ${first?.message ?? ""}`;
    return words ?? `${first?.message ?? "The request failed"} (${code || "no code"})`;
  }
  return "The gateway could not be reached. Check the connection and try again.";
}

/** Whether an answer may not be definite: retryable codes, or no answer at all (a lost connection). */
export function isRetryable(error: unknown): boolean {
  if (!CombinedGraphQLErrors.is(error)) return true;
  return error.errors.some((e) => e.extensions?.["retryable"] === true);
}
