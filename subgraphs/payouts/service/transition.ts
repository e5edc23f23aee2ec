// Writing one step of a payout's life: the state machine decides (domain/lifecycle.ts), the
// write is conditional on the status that was read (UPDATE … WHERE status = from), and a step
// that gives money back returns its reversal posting for the caller to post in the same
// transaction. The next rail step is due `stepMs` later (the payout's own step_ms). Callers hold the payout's row lock (FOR UPDATE), so the condition only fails
// when the status changed under a caller that did not.

import type { Posting } from "../../ledger/api.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { AppError, refused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { transition, type PayoutEvent } from "../domain/lifecycle.ts";
import { payoutReversalPosting } from "../domain/postings.ts";
import type { PayoutRecord } from "./payout-records.ts";
import { isRefusal } from "../../shared/refusal.ts";

export interface Step {
  readonly payout: PayoutRecord;
  /** The PAYOUT_FAILURE / PAYOUT_CANCEL posting, when money goes back to the balance. */
  readonly posting: Posting | undefined;
}

export async function writeTransition(sql: SqlClient, payout: PayoutRecord, event: PayoutEvent, now: Date, stepMs: number): Promise<Step> {
  const step = transition(payout.status, event);
  if (isRefusal(step)) throw refused(step);
  const reversal = step.reversesDebit ? { ledgerTransactionId: newId("ledgerTransaction"), balanceTransactionId: newId("balanceTransaction") } : undefined;
  const nextStepAt = step.to === "IN_TRANSIT" ? new Date(now.getTime() + stepMs) : null;
  const written = await sql.query(
    `UPDATE payout
        SET status = $3::"PayoutStatus", failure_code = $4, failure_message = $5, next_step_at = $6,
            reversal_balance_transaction_id = COALESCE($7, reversal_balance_transaction_id), updated_at = $8
      WHERE id = $1 AND status = $2::"PayoutStatus"
      RETURNING id`,
    [payout.id, step.from, step.to, step.failure?.code ?? null, step.failure?.message ?? null, nextStepAt, reversal?.balanceTransactionId ?? null, now],
  );
  if (written.length === 0) throw new AppError("INVALID_STATE", `The payout ${payout.id} is no longer ${step.from}`);
  const updated: PayoutRecord = {
    ...payout,
    status: step.to,
    failureCode: step.failure?.code ?? null,
    failureMessage: step.failure?.message ?? null,
    reversalBalanceTransactionId: reversal?.balanceTransactionId ?? payout.reversalBalanceTransactionId,
    updatedAt: now,
  };
  if (!reversal || (step.to !== "FAILED" && step.to !== "CANCELED")) return { payout: updated, posting: undefined };
  const description =
    step.to === "FAILED" ? `Payout ${payout.id} failed (${step.failure?.code ?? "unknown"}): amount and fee returned` : `Payout ${payout.id} canceled: amount and fee returned`;
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
