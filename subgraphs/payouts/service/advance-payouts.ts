// The bank rail simulator's step: due payouts move one step along their lifecycle (PENDING ->
// IN_TRANSIT -> PAID, or FAILED with the answer decided at creation), each on its own step time.
// The state lives in the database (status, next_step_at), so work that fell due while nothing
// ran is done when a worker comes back. The claim -> step -> post-reversals transaction, the
// batching and the postponing of a payout whose step keeps failing are the shared lifecycle
// template's (shared/lifecycle/advance.ts); this file says what a payout's step is.

import { postScoped, type ScopedPosting } from "../../ledger/api.ts";
import type { Dependencies } from "../../shared/context.ts";
import { advanceDue, type AdvanceOptions, type LifecycleWork } from "../../shared/lifecycle/advance.ts";
import { nextRailEvent } from "../domain/lifecycle.ts";
import { failure } from "../domain/rail.ts";
import { claimDuePayouts, postponePayout, type PayoutRecord } from "../store.ts";
import { writeTransition } from "./transition.ts";

export interface AdvanceResult {
  readonly advanced: readonly PayoutRecord[];
}

export const payoutRail: LifecycleWork<PayoutRecord, ScopedPosting> = {
  claimDue: claimDuePayouts,
  async step(sql, payout, now) {
    const event = nextRailEvent(payout.status, payout.railFailureCode ? failure(payout.railFailureCode) : undefined);
    if (!event) return undefined;
    const step = await writeTransition(sql, payout, event, now);
    const scope = { tenantId: payout.tenantId, livemode: payout.livemode };
    return { record: step.payout, reversal: step.posting && { scope, posting: step.posting } };
  },
  postReversals: postScoped,
  postpone: postponePayout,
};

/** Advances up to `limit` due payouts by one step each, in one transaction. */
export async function advanceDuePayouts(deps: Dependencies, options: AdvanceOptions = {}): Promise<AdvanceResult> {
  return { advanced: await advanceDue(deps.db, payoutRail, options) };
}
