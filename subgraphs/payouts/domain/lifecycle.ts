// The payout state machine, pure. A payout is PENDING, then IN_TRANSIT, then PAID; it may FAIL
// from PENDING or IN_TRANSIT and be CANCELED only while PENDING. Services write a transition
// only through `transition`, and then conditionally on the status they read (UPDATE … WHERE
// status = from), so an illegal or concurrent transition cannot be written; the database
// refuses one too (trigger payout_guard, migration payouts_lifecycle). The machine itself is
// the shared lifecycle helper (shared/lifecycle/state-machine.ts), as crypto withdrawals' is.

import { isRefusal, refuse, type Refusal } from "../../shared/refusal.ts";
import { stateMachine } from "../../shared/lifecycle/state-machine.ts";

export type PayoutStatus = "PENDING" | "IN_TRANSIT" | "PAID" | "FAILED" | "CANCELED";

export const payoutLifecycle = stateMachine<PayoutStatus>("payout", {
  PENDING: ["IN_TRANSIT", "CANCELED", "FAILED"],
  IN_TRANSIT: ["PAID", "FAILED"],
  PAID: [],
  FAILED: [],
  CANCELED: [],
});

export const PAYOUT_STATUSES: readonly PayoutStatus[] = payoutLifecycle.statuses;
export const { canTransition, isFinal } = payoutLifecycle;

export interface PayoutFailure {
  readonly code: string;
  readonly message: string;
}

export type PayoutEvent =
  | { readonly type: "SEND" }
  | { readonly type: "PAY" }
  | { readonly type: "FAIL"; readonly failure: PayoutFailure }
  | { readonly type: "CANCEL" };

const TARGET: Readonly<Record<PayoutEvent["type"], PayoutStatus>> = {
  SEND: "IN_TRANSIT",
  PAY: "PAID",
  FAIL: "FAILED",
  CANCEL: "CANCELED",
};

export interface Transition {
  readonly from: PayoutStatus;
  readonly to: PayoutStatus;
  readonly failure: PayoutFailure | undefined;
  /** FAILED and CANCELED give the money back: the debit is reversed. */
  readonly reversesDebit: boolean;
}

export function transition(from: PayoutStatus, event: PayoutEvent): Transition | Refusal<"INVALID_STATE"> {
  const moved = payoutLifecycle.move(from, TARGET[event.type]);
  if (isRefusal(moved))
    return event.type === "CANCEL" ? refuse("INVALID_STATE", `Only a PENDING payout can be canceled; this one is ${from}`) : moved;
  const { to } = moved;
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
