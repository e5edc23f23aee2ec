// Writing one step of a payout's life: the state machine decides (domain/lifecycle.ts), the
// store writes it conditionally on the status that was read (UPDATE … WHERE status = from), and
// a step that gives money back returns its reversal posting for the caller to post in the same
// transaction. The next rail step is due the payout's own step time later (step_ms). Callers
// hold the payout's row lock (FOR UPDATE), so the condition only fails when the status changed
// under a caller that did not.

import type { Posting } from "../../ledger/api.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { AppError, refused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { transition, type PayoutEvent } from "../domain/lifecycle.ts";
import { payoutReversalPosting } from "../domain/postings.ts";
import { writePayoutTransition, type PayoutRecord } from "../store.ts";

export interface Step {
  readonly payout: PayoutRecord;
  /** The PAYOUT_FAILURE / PAYOUT_CANCEL posting, when money goes back to the balance. */
  readonly posting: Posting | undefined;
}

export async function writeTransition(sql: SqlClient, payout: PayoutRecord, event: PayoutEvent, now: Date): Promise<Step> {
  const step = transition(payout.status, event);
  if (isRefusal(step)) throw refused(step);
  const reversal = step.reversesDebit
    ? { ledgerTransactionId: newId("ledgerTransaction"), balanceTransactionId: newId("balanceTransaction") }
    : undefined;
  const updated: PayoutRecord = {
    ...payout,
    status: step.to,
    failureCode: step.failure?.code ?? null,
    failureMessage: step.failure?.message ?? null,
    nextStepAt: step.to === "IN_TRANSIT" ? new Date(now.getTime() + payout.stepMs) : null,
    reversalBalanceTransactionId: reversal?.balanceTransactionId ?? payout.reversalBalanceTransactionId,
    updatedAt: now,
  };
  const written = await writePayoutTransition(sql, payout.id, {
    from: step.from,
    to: step.to,
    failureCode: updated.failureCode,
    failureMessage: updated.failureMessage,
    nextStepAt: updated.nextStepAt,
    reversalBalanceTransactionId: reversal?.balanceTransactionId ?? null,
    at: now,
  });
  if (!written) throw new AppError("INVALID_STATE", `The payout ${payout.id} is no longer ${step.from}`);
  if (!reversal || (step.to !== "FAILED" && step.to !== "CANCELED")) return { payout: updated, posting: undefined };
  const description =
    step.to === "FAILED"
      ? `Payout ${payout.id} failed (${step.failure?.code ?? "unknown"}): amount and fee returned`
      : `Payout ${payout.id} canceled: amount and fee returned`;
  const posting = payoutReversalPosting(
    {
      payoutId: payout.id,
      platformId: payout.tenantId,
      accountId: payout.accountId,
      amount: payout.amount,
      fee: payout.fee,
      currency: payout.currency,
      ledgerTransactionId: payout.ledgerTransactionId,
    },
    step.to,
    reversal,
    now,
    description,
  );
  return { payout: updated, posting };
}
