// Holds, pure: when a hold may expire, which steps its state allows, what a capture may take,
// where it may go, and the ledger postings of each step.
//
// Balance transactions follow the holder's AVAILABLE balance (as Stripe's do), so the sum of an
// account's balance transactions stays equal to its available balance; HELD is shown beside it.
//
//   create X:            AVAILABLE(holder) −X, HELD(holder) +X          bt HOLD −X
//   capture C (≤ X):     HELD(holder) −X, AVAILABLE(holder) +X −C,
//                        AVAILABLE(destination) +C                      bts HOLD_CAPTURE −C and HOLD_RELEASE +X
//                                                                       (holder), HOLD_CAPTURE +C (destination)
//   release / expiry:    HELD(holder) −X, AVAILABLE(holder) +X          bt HOLD_RELEASE +X

import type { Posting } from "../../ledger/api.ts";
import type { Currency } from "../../shared/money/currency.ts";
import type { AccountId, BalanceTransactionId, HoldId } from "../../shared/ids.ts";
import { formatDecimal, type Money } from "../../shared/money/money.ts";
import { isRefusal, refuse, type InputRefusal, type Refusal } from "../../shared/refusal.ts";
import { checkAmount, type AccountFacts } from "./money-movement.ts";

export type HoldStatus = "ACTIVE" | "CAPTURED" | "RELEASED" | "EXPIRED";

/** A hold without an expiresAt lasts this long (or the configured cap, if shorter). */
export const DEFAULT_HOLD_MS = 7 * 24 * 60 * 60 * 1000;
/** An expiresAt sooner than this would expire before a client could act on the hold. */
export const MIN_HOLD_MS = 60 * 1000;

/** The hold's expiry: the default when none is given, refused beyond `maxMs` from now or under a minute ahead. */
export function holdExpiry(expiresAt: Date | null | undefined, now: Date, maxMs: number): Date | InputRefusal {
  if (expiresAt === null || expiresAt === undefined) return new Date(now.getTime() + Math.min(DEFAULT_HOLD_MS, maxMs));
  if (Number.isNaN(expiresAt.getTime())) return refuse("BAD_USER_INPUT", "expiresAt must be a date-time", "input.expiresAt");
  if (expiresAt.getTime() < now.getTime() + MIN_HOLD_MS) {
    return refuse("BAD_USER_INPUT", "expiresAt must be at least one minute in the future", "input.expiresAt");
  }
  if (expiresAt.getTime() > now.getTime() + maxMs) {
    return refuse("BAD_USER_INPUT", `expiresAt must be at most ${formatDays(maxMs)} from now`, "input.expiresAt");
  }
  return expiresAt;
}

function formatDays(ms: number): string {
  const days = ms / 86_400_000;
  return Number.isInteger(days) ? `${days} day${days === 1 ? "" : "s"}` : `${Math.floor(ms / 60_000)} minutes`;
}

/** Holds reserve money an account has: not on a closed account. */
export function checkHoldAccount(account: AccountFacts): Refusal<"INVALID_STATE"> | undefined {
  return account.status === "CLOSED" ? refuse("INVALID_STATE", "The account is closed") : undefined;
}

export type HoldAction = "CAPTURE" | "RELEASE" | "EXPIRE";

const FINAL: Record<Exclude<HoldStatus, "ACTIVE">, string> = {
  CAPTURED: "captured",
  RELEASED: "released",
  EXPIRED: "expired",
};

/**
 * The state machine: an ACTIVE hold is captured or released before its expiresAt, and expires
 * (by the worker) at or after it; every other status is final. Past expiresAt a capture or a
 * release is refused as expired even if the worker has not run yet.
 */
export function holdStep(
  hold: { readonly id: string; readonly status: HoldStatus; readonly expiresAt: Date },
  action: HoldAction,
  now: Date,
): { readonly to: Exclude<HoldStatus, "ACTIVE"> } | Refusal<"INVALID_STATE"> {
  if (hold.status !== "ACTIVE") return refuse("INVALID_STATE", `The hold ${hold.id} is already ${FINAL[hold.status]}`);
  const expired = now.getTime() >= hold.expiresAt.getTime();
  if (action === "EXPIRE") {
    return expired ? { to: "EXPIRED" } : refuse("INVALID_STATE", `The hold ${hold.id} is not due to expire yet`);
  }
  if (expired) return refuse("INVALID_STATE", `The hold ${hold.id} expired at ${hold.expiresAt.toISOString()}`);
  return { to: action === "CAPTURE" ? "CAPTURED" : "RELEASED" };
}

/** What a capture may take: a valid amount in the hold's currency, at most what is held. */
export function checkCapture(hold: { readonly amount: bigint; readonly currency: Currency }, amount: bigint): Money | InputRefusal {
  const money = checkAmount(amount, hold.currency, "amount");
  if (isRefusal(money)) return money;
  if (money.amount > hold.amount) {
    return refuse(
      "BAD_USER_INPUT",
      `amount must be at most the held ${formatDecimal(hold.amount, hold.currency)} ${hold.currency}`,
      "amount",
    );
  }
  return money;
}

/**
 * Where a capture goes: the destination asked for (another account of the platform), or the
 * platform itself. A hold on the platform's own account must name its destination.
 */
export function captureDestinationId(
  hold: { readonly accountId: AccountId; readonly tenantId: AccountId },
  requested: AccountId | undefined,
): AccountId | InputRefusal {
  const destination = requested ?? hold.tenantId;
  if (destination !== hold.accountId) return destination;
  return requested
    ? refuse("BAD_USER_INPUT", "A hold is captured to another account than its own", "destinationAccountId")
    : refuse("BAD_USER_INPUT", "A hold on the platform's own account needs a destinationAccountId", "destinationAccountId");
}

export function checkCaptureDestination(destination: AccountFacts): Refusal<"INVALID_STATE"> | undefined {
  return destination.status === "CLOSED" ? refuse("INVALID_STATE", "The destination account is closed") : undefined;
}

export interface HoldMoney {
  readonly id: HoldId;
  readonly accountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
}

interface StepIds {
  readonly ledgerTransactionId: string;
  readonly at: Date;
  readonly description?: string | undefined;
}

const balanceTransaction = (hold: HoldMoney, step: StepIds) =>
  ({
    currency: hold.currency,
    fee: 0n,
    status: "AVAILABLE",
    availableOn: step.at,
    description: step.description,
    sourceId: hold.id,
  }) as const;

export function holdPosting(hold: HoldMoney, step: StepIds & { readonly balanceTransactionId: BalanceTransactionId }): Posting {
  return {
    id: step.ledgerTransactionId,
    kind: "HOLD",
    reference: hold.id,
    entries: [
      { accountId: hold.accountId, currency: hold.currency, kind: "AVAILABLE", amount: -hold.amount },
      { accountId: hold.accountId, currency: hold.currency, kind: "HELD", amount: hold.amount },
    ],
    balanceTransactions: [
      { ...balanceTransaction(hold, step), id: step.balanceTransactionId, accountId: hold.accountId, type: "HOLD", amount: -hold.amount },
    ],
  };
}

/** Release or expiry: everything held goes back to available. */
export function releasePosting(
  hold: HoldMoney,
  kind: "HOLD_RELEASE" | "HOLD_EXPIRY",
  step: StepIds & { readonly balanceTransactionId: BalanceTransactionId },
): Posting {
  return {
    id: step.ledgerTransactionId,
    kind,
    reference: hold.id,
    entries: [
      { accountId: hold.accountId, currency: hold.currency, kind: "HELD", amount: -hold.amount },
      { accountId: hold.accountId, currency: hold.currency, kind: "AVAILABLE", amount: hold.amount },
    ],
    balanceTransactions: [
      {
        ...balanceTransaction(hold, step),
        id: step.balanceTransactionId,
        accountId: hold.accountId,
        type: "HOLD_RELEASE",
        amount: hold.amount,
      },
    ],
  };
}

/**
 * A capture of `captured` (0 < captured ≤ held) to `destinationAccountId`: the whole hold is
 * released and the captured part moved on, in one ledger transaction. The holder's HOLD_CAPTURE
 * comes first, so its balance event links to the capture (eventsFor links an account's first
 * balance transaction of the posting).
 */
export function capturePosting(
  hold: HoldMoney,
  captured: bigint,
  destinationAccountId: AccountId,
  step: StepIds & {
    readonly captureBalanceTransactionId: BalanceTransactionId;
    readonly releaseBalanceTransactionId: BalanceTransactionId;
    readonly destinationBalanceTransactionId: BalanceTransactionId;
  },
): Posting {
  const common = balanceTransaction(hold, step);
  return {
    id: step.ledgerTransactionId,
    kind: "HOLD_CAPTURE",
    reference: hold.id,
    entries: [
      { accountId: hold.accountId, currency: hold.currency, kind: "HELD", amount: -hold.amount },
      { accountId: hold.accountId, currency: hold.currency, kind: "AVAILABLE", amount: hold.amount },
      { accountId: hold.accountId, currency: hold.currency, kind: "AVAILABLE", amount: -captured },
      { accountId: destinationAccountId, currency: hold.currency, kind: "AVAILABLE", amount: captured },
    ],
    balanceTransactions: [
      { ...common, id: step.captureBalanceTransactionId, accountId: hold.accountId, type: "HOLD_CAPTURE", amount: -captured },
      { ...common, id: step.releaseBalanceTransactionId, accountId: hold.accountId, type: "HOLD_RELEASE", amount: hold.amount },
      { ...common, id: step.destinationBalanceTransactionId, accountId: destinationAccountId, type: "HOLD_CAPTURE", amount: captured },
    ],
  };
}
