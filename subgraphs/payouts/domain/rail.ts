// The simulated bank rail's answers, pure (docs/payouts.md, test mode). The destination's account number
// decides the payout's fate when the payout is created; only the answer is stored, never the
// number. Every other valid account (and IBAN DE89370400440532013000) is paid.

import type { PayoutFailure } from "./lifecycle.ts";

export const FAILURE_MESSAGES: Readonly<Record<string, string>> = {
  no_account: "The bank account details on file do not match an account at the bank.",
  account_closed: "The bank account has been closed.",
  insufficient_funds: "The bank returned the payout: the account could not accept it (insufficient funds).",
  invalid_account_number: "The bank account number is not valid at the bank.",
  could_not_process: "The bank could not process this payout.",
};

/** Test account numbers (US, routing 110000000) and the failure each produces. */
export const TEST_FAILURES: Readonly<Record<string, string>> = {
  "000111111116": "no_account",
  "000111111113": "account_closed",
  "000222222227": "insufficient_funds",
};

export function failure(code: string): PayoutFailure {
  return { code, message: FAILURE_MESSAGES[code] ?? FAILURE_MESSAGES["could_not_process"]! };
}

/** The failure code the bank will answer for this destination, or undefined when it pays. */
export function railFailureFor(destination: { readonly accountNumber: string | null }): string | undefined {
  return destination.accountNumber === null ? undefined : TEST_FAILURES[destination.accountNumber];
}
