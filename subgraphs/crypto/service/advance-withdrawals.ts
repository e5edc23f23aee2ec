// Advances due withdrawals one step on the simulated chain: PENDING -> BROADCAST, then
// BROADCAST -> CONFIRMED or FAILED (a failure posts the reversal of the debit, with its own
// balance transaction), each on its own step time (step_ms). The state lives in the database
// (status, next_step_at), so a step that fell due while no process ran is taken when one comes
// back. The claim -> step -> post-reversals transaction, the batching and the postponing of a
// withdrawal whose step keeps failing are the shared lifecycle template's
// (shared/lifecycle/advance.ts); this file says what a withdrawal's step is.

import { postScoped, type Posting, type ScopedPosting } from "../../ledger/api.ts";
import type { Dependencies } from "../../shared/context.ts";
import { newId, type BalanceTransactionId } from "../../shared/ids.ts";
import { advanceDue, type AdvanceOptions, type LifecycleWork } from "../../shared/lifecycle/advance.ts";
import { withdrawalFailurePosting } from "../domain/postings.ts";
import { nextStep, type WithdrawalStep } from "../domain/withdrawal.ts";
import { claimDueWithdrawals, postponeWithdrawal, writeWithdrawalTransition, type WithdrawalRecord } from "../store/withdrawals.ts";

export const withdrawalChain: LifecycleWork<WithdrawalRecord, ScopedPosting> = {
  claimDue: claimDueWithdrawals,
  async step(sql, withdrawal, now) {
    const step = nextStep(withdrawal, now, withdrawal.stepMs);
    if (!step) return undefined;
    const record = stepped(withdrawal, step, now);
    // The row is locked by this transaction: a miss means the step and the row disagree (a bug).
    if (!(await writeWithdrawalTransition(sql, step.from, record)))
      throw new Error(`withdrawal ${withdrawal.id} is not ${step.from}; refusing ${step.from} -> ${step.to}`);
    if (record.status !== "FAILED" || record.failureBalanceTransactionId === null) return { record, reversal: undefined };
    const scope = { tenantId: record.tenantId, livemode: record.livemode };
    return { record, reversal: { scope, posting: restoration(record, record.failureBalanceTransactionId, now) } };
  },
  postReversals: postScoped,
  postpone: postponeWithdrawal,
};

/** Takes the next step of up to `limit` due withdrawals in one transaction; returns how many moved. */
export async function advanceDueWithdrawals(deps: Dependencies, options: AdvanceOptions = {}): Promise<number> {
  return (await advanceDue(deps.db, withdrawalChain, options)).length;
}

/** The withdrawal once `step` is taken at `now`. */
function stepped(withdrawal: WithdrawalRecord, step: WithdrawalStep, now: Date): WithdrawalRecord {
  switch (step.to) {
    case "BROADCAST":
      return { ...withdrawal, status: step.to, transactionHash: step.transactionHash, broadcastAt: now, nextStepAt: step.nextStepAt };
    case "CONFIRMED":
      return { ...withdrawal, status: step.to, completedAt: now, nextStepAt: null };
    case "FAILED":
      return {
        ...withdrawal,
        status: step.to,
        failureCode: step.failureCode,
        failureMessage: step.failureMessage,
        failureBalanceTransactionId: newId("balanceTransaction"),
        completedAt: now,
        nextStepAt: null,
      };
  }
}

/** The reversal of a failed withdrawal's debit: amount and network fee back to the balance. */
function restoration(failed: WithdrawalRecord, balanceTransactionId: BalanceTransactionId, now: Date): Posting {
  return withdrawalFailurePosting(
    {
      ledgerTransactionId: failed.ledgerTransactionId,
      withdrawalId: failed.id,
      platformId: failed.tenantId,
      accountId: failed.accountId,
      asset: failed.asset,
      amount: failed.amount,
      networkFee: failed.networkFee,
      balanceTransactionId: failed.balanceTransactionId,
      at: failed.createdAt,
    },
    newId("ledgerTransaction"),
    balanceTransactionId,
    now,
  );
}
