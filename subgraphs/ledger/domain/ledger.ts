// The ledger's rules, pure: what a valid posting is, how a correction reverses one, and which
// balance events a posting produces. No I/O; ../service/post.ts applies them.

import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { MAX_MINOR_UNITS } from "../../shared/money/money.ts";

export type LedgerAccountKind =
  "AVAILABLE" | "PENDING" | "HELD" | "TOPUP_CLEARING" | "PAYOUT_CLEARING" | "FEES" | "CRYPTO_CLEARING" | "CRYPTO_NETWORK";

/** The balances account holders see: available, pending, and held (reserved by holds). */
export type CustomerKind = "AVAILABLE" | "PENDING" | "HELD";

/** Customer balances: what account holders see, and never below zero (ledger_customer_kinds() in sql/ledger_post.sql). */
export const CUSTOMER_KINDS: ReadonlySet<LedgerAccountKind> = new Set<CustomerKind>(["AVAILABLE", "PENDING", "HELD"]);

/**
 * The rows a clearing (non-customer) ledger account's balance is spread over, so concurrent
 * postings update different rows; a customer balance is one row. sql/ledger_post.sql holds the
 * same number (ledger_clearing_slots()); store/ledger-post.test.ts checks that they agree.
 */
export const CLEARING_SLOTS = 16;

export interface Entry {
  /** The account whose money it is (clearing accounts belong to the platform). */
  readonly accountId: AccountId;
  readonly currency: Currency;
  readonly kind: LedgerAccountKind;
  /** Signed minor units; never zero. */
  readonly amount: bigint;
}

export type BalanceTransactionType =
  | "TOPUP"
  | "TRANSFER"
  | "PAYOUT"
  | "PAYOUT_FAILURE"
  | "PAYOUT_CANCEL"
  | "PAYOUT_FEE"
  | "CRYPTO_CONVERSION"
  | "CRYPTO_WITHDRAWAL"
  | "CRYPTO_WITHDRAWAL_FAILURE"
  | "CRYPTO_DEPOSIT"
  | "ADJUSTMENT"
  | "HOLD"
  | "HOLD_CAPTURE"
  | "HOLD_RELEASE";

/** The customer-facing record of a change to one account's balance (txn_…). */
export interface BalanceTransactionSpec {
  readonly id: BalanceTransactionId;
  readonly accountId: AccountId;
  readonly type: BalanceTransactionType;
  readonly currency: Currency;
  /** Signed: negative when money leaves the account. */
  readonly amount: bigint;
  /** What the platform charged for it (positive), already part of `amount`'s movement. */
  readonly fee: bigint;
  readonly status: "PENDING" | "AVAILABLE";
  readonly availableOn: Date;
  readonly description?: string | undefined;
  readonly sourceId?: string | undefined;
}

export interface Posting {
  readonly id: string;
  /** What moved the money: TOPUP, TOPUP_SETTLEMENT, TRANSFER, PAYOUT, … */
  readonly kind: string;
  readonly reference?: string | undefined;
  readonly reversesId?: string | undefined;
  readonly entries: readonly Entry[];
  readonly balanceTransactions?: readonly BalanceTransactionSpec[];
  /** The balance transaction an event links to when the posting creates none (a settlement). */
  readonly eventBalanceTransactionId?: BalanceTransactionId | undefined;
}

export type PostingProblem =
  | { readonly problem: "TOO_FEW_ENTRIES"; readonly postingId: string }
  | { readonly problem: "ZERO_ENTRY"; readonly postingId: string }
  | { readonly problem: "AMOUNT_OUT_OF_RANGE"; readonly postingId: string }
  | { readonly problem: "UNBALANCED"; readonly postingId: string; readonly currency: string; readonly sum: bigint }
  | { readonly problem: "BALANCE_TRANSACTION_WITHOUT_ENTRY"; readonly postingId: string; readonly balanceTransactionId: string };

/** A posting is valid when it has two or more non-zero entries that sum to zero per currency. */
export function checkPosting(posting: Posting): PostingProblem | undefined {
  const postingId = posting.id;
  if (posting.entries.length < 2) return { problem: "TOO_FEW_ENTRIES", postingId };
  const sums = new Map<string, bigint>();
  for (const entry of posting.entries) {
    if (entry.amount === 0n) return { problem: "ZERO_ENTRY", postingId };
    if (entry.amount > MAX_MINOR_UNITS || entry.amount < -MAX_MINOR_UNITS) return { problem: "AMOUNT_OUT_OF_RANGE", postingId };
    sums.set(entry.currency, (sums.get(entry.currency) ?? 0n) + entry.amount);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0n) return { problem: "UNBALANCED", postingId, currency, sum };
  }
  for (const bt of posting.balanceTransactions ?? []) {
    const touches = posting.entries.some((e) => e.accountId === bt.accountId && e.currency === bt.currency && CUSTOMER_KINDS.has(e.kind));
    if (!touches) return { problem: "BALANCE_TRANSACTION_WITHOUT_ENTRY", postingId, balanceTransactionId: bt.id };
  }
  return undefined;
}

/** The correcting posting: the same entries with opposite signs. Entries are never edited. */
export function reversal(original: Posting, id: string, kind = `${original.kind}_REVERSAL`): Posting {
  return {
    id,
    kind,
    reference: original.reference,
    reversesId: original.id,
    entries: original.entries.map((entry) => ({ ...entry, amount: -entry.amount })),
  };
}

export interface EventSpec {
  /** Index of the posting (in the call) after which the balances are reported. */
  readonly posting: number;
  readonly accountId: AccountId;
  readonly currency: Currency;
  readonly balanceTransactionId: BalanceTransactionId | undefined;
}

/**
 * One balance event per posting and per account and currency whose customer balance it
 * changes, linked to that account's balance transaction in the posting (or the posting's
 * `eventBalanceTransactionId`, for a settlement).
 */
export function eventsFor(postings: readonly Posting[]): EventSpec[] {
  const events: EventSpec[] = [];
  postings.forEach((posting, index) => {
    const seen = new Set<string>();
    for (const entry of posting.entries) {
      const key = `${entry.accountId}\u0000${entry.currency}`;
      if (!CUSTOMER_KINDS.has(entry.kind) || seen.has(key)) continue;
      seen.add(key);
      const linked = (posting.balanceTransactions ?? []).find(
        (bt) => bt.accountId === entry.accountId && bt.currency === entry.currency,
      )?.id;
      events.push({
        posting: index,
        accountId: entry.accountId,
        currency: entry.currency,
        balanceTransactionId: linked ?? posting.eventBalanceTransactionId,
      });
    }
  });
  return events;
}

/** net = amount - fee, from the account holder's point of view. */
export function netOf(spec: Pick<BalanceTransactionSpec, "amount" | "fee">): bigint {
  return spec.amount - spec.fee;
}
