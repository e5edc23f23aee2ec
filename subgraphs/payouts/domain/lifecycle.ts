import { refuse, type Refusal } from "../../shared/refusal.ts";
// The payout state machine, pure. A payout is PENDING, then IN_TRANSIT, then PAID; it may FAIL
// from PENDING or IN_TRANSIT and be CANCELED only while PENDING. Services write a transition
// only through `transition`, and then conditionally on the status they read (UPDATE … WHERE
// status = from), so an illegal or concurrent transition cannot be written; the database
// refuses one too (trigger payout_guard, migration payouts_lifecycle).

export type PayoutStatus = "PENDING" | "IN_TRANSIT" | "PAID" | "FAILED" | "CANCELED";

export const PAYOUT_STATUSES: readonly PayoutStatus[] = ["PENDING", "IN_TRANSIT", "PAID", "FAILED", "CANCELED"];

export interface PayoutFailure {
  readonly code: string;
  readonly message: string;
}

export type PayoutEvent =
  | { readonly type: "SEND" }
  | { readonly type: "PAY" }
  | { readonly type: "FAIL"; readonly failure: PayoutFailure }
  | { readonly type: "CANCEL" };

const ALLOWED: Readonly<Record<PayoutStatus, readonly PayoutStatus[]>> = {
  PENDING: ["IN_TRANSIT", "CANCELED", "FAILED"],
  IN_TRANSIT: ["PAID", "FAILED"],
  PAID: [],
  FAILED: [],
  CANCELED: [],
};

const TARGET: Readonly<Record<PayoutEvent["type"], PayoutStatus>> = {
  SEND: "IN_TRANSIT",
  PAY: "PAID",
  FAIL: "FAILED",
  CANCEL: "CANCELED",
};

export function canTransition(from: PayoutStatus, to: PayoutStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function isFinal(status: PayoutStatus): boolean {
  return ALLOWED[status].length === 0;
}

export interface Transition {
  readonly from: PayoutStatus;
  readonly to: PayoutStatus;
  readonly failure: PayoutFailure | undefined;
  /** FAILED and CANCELED give the money back: the debit is reversed. */
  readonly reversesDebit: boolean;
}

export function transition(from: PayoutStatus, event: PayoutEvent): Transition | Refusal<"INVALID_STATE"> {
  const to = TARGET[event.type];
  if (!canTransition(from, to)) {
    const message =
      event.type === "CANCEL" ? `Only a PENDING payout can be canceled; this one is ${from}` : `A ${from} payout cannot become ${to}`;
    return refuse("INVALID_STATE", message);
  }
  return { from, to, failure: event.type === "FAIL" ? event.failure : undefined, reversesDebit: to === "FAILED" || to === "CANCELED" };
}

/**
 * What the bank rail does next with a payout in `status`: it sends a pending payout, and
 * settles one in transit (paid, or failed with the bank's answer decided at creation).
 */
export function nextRailEvent(status: PayoutStatus, railFailure: PayoutFailure | undefined): PayoutEvent | undefined {
  if (status === "PENDING") return { type: "SEND" };
  if (status === "IN_TRANSIT") return railFailure ? { type: "FAIL", failure: railFailure } : { type: "PAY" };
  return undefined;
}
