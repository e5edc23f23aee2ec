// Advances due withdrawals one step on the simulated chain: PENDING -> BROADCAST, then
// BROADCAST -> CONFIRMED or FAILED (a failure posts the reversal of the debit, with its own
// balance transaction). The state lives in the database (status, next_step_at), so a step that
// fell due while no process ran is taken when one comes back. Several workers may run: each
// claims a batch with FOR UPDATE SKIP LOCKED, and every update is conditional on the status the
// domain's step starts from, so no withdrawal moves twice or illegally. A withdrawal no step
// can handle (a bug, bad data) is named in a StepError: the worker then goes one at a time and
// postpones it (`postponeWithdrawal`), so it cannot hold up the others (shared/worker.ts).

import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { naming } from "../../shared/worker.ts";
import { newId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { type Posting, postScoped, type ScopedPosting } from "../../ledger/api.ts";
import { isNetwork } from "../domain/assets.ts";
import { withdrawalFailurePosting } from "../domain/postings.ts";
import { nextStep, type WithdrawalStatus, type WithdrawalStep } from "../domain/withdrawal.ts";

interface DueWithdrawal {
  id: string;
  tenant_id: string;
  livemode: boolean;
  account_id: string;
  asset: string;
  network: string;
  address: string;
  amount: string;
  network_fee: string;
  status: WithdrawalStatus;
  balance_transaction_id: string;
  ledger_transaction_id: string;
  created_at: Date;
}

export interface AdvanceOptions {
  /** The clock (tests move it forward). */
  readonly now?: Date;
  readonly limit?: number;
  /** Only this tenant's withdrawals (a per-tenant run; tests sharing a database). */
  readonly tenantId?: string;
}

/** Takes the next step of up to `limit` due withdrawals in one transaction; returns how many moved. */
export async function advanceDueWithdrawals(deps: Dependencies, options: AdvanceOptions = {}): Promise<number> {
  const now = options.now ?? new Date();
  return inTransaction(deps.db, async (sql) => {
    const due = await sql.query<DueWithdrawal>(
      `SELECT id, tenant_id, livemode, account_id, asset, network, address, amount::text AS amount, network_fee::text AS network_fee,
              status::text AS status, balance_transaction_id, ledger_transaction_id, created_at
         FROM crypto_withdrawal
        WHERE status IN ('PENDING', 'BROADCAST') AND next_step_at <= $1 AND ($3::varchar IS NULL OR tenant_id = $3)
        ORDER BY next_step_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [now, options.limit ?? 100, options.tenantId ?? null],
    );
    const reversals: (ScopedPosting & { withdrawalId: string })[] = [];
    for (const withdrawal of due) {
      const reversal = await naming([withdrawal.id], async () => {
        if (!isNetwork(withdrawal.network)) throw new Error(`withdrawal ${withdrawal.id} is on an unknown network`);
        const step = nextStep({ ...withdrawal, network: withdrawal.network }, now, deps.config.PAYOUT_STEP_MS);
        return step ? apply(sql, withdrawal, step, now) : undefined;
      });
      if (reversal) reversals.push({ scope: { tenantId: withdrawal.tenant_id, livemode: withdrawal.livemode }, posting: reversal, withdrawalId: withdrawal.id });
    }
    // One ledger call for every tenant's reversals: it takes its locks in one global order, so
    // two workers never wait on each other in a cycle.
    await naming(reversals.map((r) => r.withdrawalId), () => postScoped(sql, reversals));
    return due.length;
  });
}

/** Moves a withdrawal's next step out (a step that failed), without changing its status. */
export async function postponeWithdrawal(deps: Dependencies, withdrawalId: string, until: Date): Promise<void> {
  await deps.db.sql.query(`UPDATE crypto_withdrawal SET next_step_at = $2 WHERE id = $1 AND status IN ('PENDING', 'BROADCAST')`, [withdrawalId, until]);
}

/** Writes the step, conditionally on its `from` status; returns the reversal a failure needs. */
async function apply(sql: SqlClient, withdrawal: DueWithdrawal, step: WithdrawalStep, now: Date): Promise<Posting | undefined> {
  let updated: unknown[];
  switch (step.to) {
    case "BROADCAST":
      updated = await sql.query(
        `UPDATE crypto_withdrawal SET status = 'BROADCAST', transaction_hash = $3, broadcast_at = $4, next_step_at = $5
          WHERE id = $1 AND status = $2::"CryptoWithdrawalStatus" RETURNING 1 AS moved`,
        [withdrawal.id, step.from, step.transactionHash, now, step.nextStepAt],
      );
      break;
    case "CONFIRMED":
      updated = await sql.query(
        `UPDATE crypto_withdrawal SET status = 'CONFIRMED', completed_at = $3, next_step_at = NULL
          WHERE id = $1 AND status = $2::"CryptoWithdrawalStatus" RETURNING 1 AS moved`,
        [withdrawal.id, step.from, now],
      );
      break;
    case "FAILED": {
      const failureBalanceTransactionId = newId("balanceTransaction");
      updated = await sql.query(
        `UPDATE crypto_withdrawal SET status = 'FAILED', failure_code = $3, failure_message = $4, failure_balance_transaction_id = $5,
                completed_at = $6, next_step_at = NULL
          WHERE id = $1 AND status = $2::"CryptoWithdrawalStatus" RETURNING 1 AS moved`,
        [withdrawal.id, step.from, step.failureCode, step.failureMessage, failureBalanceTransactionId, now],
      );
      ensureMoved(updated, withdrawal, step);
      return restoration(withdrawal, failureBalanceTransactionId, now);
    }
  }
  ensureMoved(updated, withdrawal, step);
  return undefined;
}

/** The row is locked by this transaction: a miss means the step and the row disagree (a bug). */
function ensureMoved(updated: unknown[], withdrawal: DueWithdrawal, step: WithdrawalStep): void {
  if (updated.length !== 1) throw new Error(`withdrawal ${withdrawal.id} is not ${step.from}; refusing ${step.from} -> ${step.to}`);
}

function restoration(withdrawal: DueWithdrawal, balanceTransactionId: string, now: Date): Posting {
  const asset = parseCurrency(withdrawal.asset);
  if (!asset) throw new Error(`withdrawal ${withdrawal.id} has an unknown asset`);
  return withdrawalFailurePosting(
    {
      ledgerTransactionId: withdrawal.ledger_transaction_id,
      withdrawalId: withdrawal.id,
      platformId: withdrawal.tenant_id,
      accountId: withdrawal.account_id,
      asset,
      amount: BigInt(withdrawal.amount),
      networkFee: BigInt(withdrawal.network_fee),
      balanceTransactionId: withdrawal.balance_transaction_id,
      at: withdrawal.created_at,
    },
    newId("ledgerTransaction"),
    balanceTransactionId,
    now,
  );
}
