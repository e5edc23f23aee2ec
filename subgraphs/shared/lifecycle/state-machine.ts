// A row's lifecycle as a state machine, pure: the statuses, which may follow which, and the one
// check every write of a status goes through. Payouts and crypto withdrawals each declare their
// own states with `stateMachine`; the database holds the same table in a guard trigger (see
// prisma/migrations: payout_guard, crypto_withdrawal_guard), and each module's tests check the
// two agree pair by pair. Domain code imports it.

import { refuse, type Refusal } from "../refusal.ts";

export interface Transition<S extends string> {
  readonly from: S;
  readonly to: S;
}

export interface StateMachine<S extends string> {
  /** Every status, in declaration order. */
  readonly statuses: readonly S[];
  /** The statuses a worker still moves on (not final), in declaration order. */
  readonly active: readonly S[];
  canTransition(from: S, to: S): boolean;
  isFinal(status: S): boolean;
  /** `from -> to` when the machine allows it; INVALID_STATE naming both otherwise. */
  move(from: S, to: S): Transition<S> | Refusal<"INVALID_STATE">;
}

/**
 * `transitions` lists, for each status, the statuses that may follow it; a status with none is
 * final. `noun` names the row in refusals ("A PAID payout cannot become FAILED").
 */
export function stateMachine<S extends string>(noun: string, transitions: Readonly<Record<S, readonly S[]>>): StateMachine<S> {
  const statuses = Object.keys(transitions) as S[];
  const canTransition = (from: S, to: S) => transitions[from].includes(to);
  const isFinal = (status: S) => transitions[status].length === 0;
  return {
    statuses,
    active: statuses.filter((status) => !isFinal(status)),
    canTransition,
    isFinal,
    move: (from, to) => (canTransition(from, to) ? { from, to } : refuse("INVALID_STATE", `A ${from} ${noun} cannot become ${to}`)),
  };
}
