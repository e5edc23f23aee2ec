// Releases holds past their expiresAt: EXPIRED, all of it back to available with a HOLD_RELEASE
// balance transaction. The state lives in the database (an ACTIVE hold with expires_at), so a
// hold that fell due while no worker ran expires when one comes back, and only once: each
// worker claims a batch FOR UPDATE SKIP LOCKED, and the status changes only from ACTIVE. A
// hold being captured or released at that moment is skipped (that request holds its lock and
// refuses it as expired); the next round takes it. A hold no step can expire (bad data) fails
// its batch with a StepError and is postponed (expiry_retry_at) by the step worker.

import { postScoped, type ScopedPosting } from "../../ledger/api.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { newId } from "../../shared/ids.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { naming } from "../../shared/worker.ts";
import { holdStep, releasePosting } from "../domain/holds.ts";
import { claimDueHolds, finishHolds, postponeHoldExpiry, type HoldOutcome } from "../store/holds.ts";

/** Expires up to `limit` due holds in one transaction; returns how many. */
export async function expireDueHolds(deps: Pick<Dependencies, "db">, now = new Date(), limit = 200): Promise<number> {
  return inTransaction(deps.db, async (sql) => {
    const due = await claimDueHolds(sql, now, limit);
    if (due.length === 0) return 0;
    const outcomes: HoldOutcome[] = [];
    const postings: ScopedPosting[] = [];
    for (const hold of due) {
      const step = holdStep(hold, "EXPIRE", now);
      if (isRefusal(step)) throw new Error(step.message);
      const releaseBalanceTransactionId = newId("balanceTransaction");
      outcomes.push({ id: hold.id, status: step.to, at: now, releaseBalanceTransactionId });
      postings.push({
        scope: hold,
        posting: releasePosting(hold, "HOLD_EXPIRY", {
          ledgerTransactionId: newId("ledgerTransaction"),
          balanceTransactionId: releaseBalanceTransactionId,
          at: now,
          description: `Hold ${hold.id} expired`,
        }),
      });
    }
    await naming(
      due.map((hold) => hold.id),
      async () => {
        await finishHolds(sql, outcomes);
        await postScoped(sql, postings);
      },
    );
    return due.length;
  });
}

export async function postponeExpiry(deps: Pick<Dependencies, "db">, holdId: string, until: Date): Promise<void> {
  await postponeHoldExpiry(deps.db.sql, holdId, until);
}
