// The crypto_withdrawal table: withdrawals to external addresses and their lifecycle columns
// (status, next step, per-row step time). Part of the crypto store (see rows.ts); the worker's
// claim and conditional transition write are here, its steps in service/advance-withdrawals.ts.

import type { SqlClient } from "../../shared/db/database.ts";
import type { Claimed, DueRows } from "../../shared/lifecycle/advance.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { pageSql, type PageRequest } from "../../shared/pagination.ts";
import type { Network } from "../domain/assets.ts";
import { withdrawalLifecycle, type WithdrawalStatus } from "../domain/withdrawal.ts";
import { assetNetworkOf, type TenantScope } from "./rows.ts";
import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";

export interface WithdrawalRecord {
  readonly id: string;
  readonly tenantId: AccountId;
  readonly livemode: boolean;
  readonly accountId: AccountId;
  readonly walletId: string;
  readonly asset: Currency;
  readonly network: Network;
  readonly address: string;
  readonly amount: bigint;
  readonly networkFee: bigint;
  readonly status: WithdrawalStatus;
  readonly transactionHash: string | null;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly ledgerTransactionId: string;
  readonly failureBalanceTransactionId: BalanceTransactionId | null;
  /** When the worker takes the next step; null once final. */
  readonly nextStepAt: Date | null;
  /** How long each chain step takes for this withdrawal (PAYOUT_STEP_MS of the process that created it). */
  readonly stepMs: number;
  readonly broadcastAt: Date | null;
  readonly completedAt: Date | null;
  readonly createdAt: Date;
}

interface WithdrawalRow {
  id: string;
  tenant_id: AccountId;
  livemode: boolean;
  account_id: AccountId;
  wallet_id: string;
  asset: string;
  network: string;
  address: string;
  amount: string;
  network_fee: string;
  status: WithdrawalStatus;
  transaction_hash: string | null;
  failure_code: string | null;
  failure_message: string | null;
  balance_transaction_id: BalanceTransactionId;
  ledger_transaction_id: string;
  failure_balance_transaction_id: BalanceTransactionId | null;
  next_step_at: Date | null;
  step_ms: number;
  broadcast_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
}

const COLUMNS = `id, tenant_id, livemode, account_id, wallet_id, asset, network, address, amount::text AS amount,
  network_fee::text AS network_fee, status::text AS status, transaction_hash, failure_code, failure_message, balance_transaction_id,
  ledger_transaction_id, failure_balance_transaction_id, next_step_at, step_ms, broadcast_at, completed_at, created_at`;

// The statuses the worker still moves on, as SQL (fixed identifiers from the state machine).
const ACTIVE = withdrawalLifecycle.active.map((status) => `'${status}'`).join(", ");

const dateOrNull = (value: Date | null) => (value === null ? null : new Date(value));

function withdrawalRecord(row: WithdrawalRow): WithdrawalRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    livemode: row.livemode,
    accountId: row.account_id,
    walletId: row.wallet_id,
    ...assetNetworkOf(row.id, row.asset, row.network),
    address: row.address,
    amount: BigInt(row.amount),
    networkFee: BigInt(row.network_fee),
    status: row.status,
    transactionHash: row.transaction_hash,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    balanceTransactionId: row.balance_transaction_id,
    ledgerTransactionId: row.ledger_transaction_id,
    failureBalanceTransactionId: row.failure_balance_transaction_id,
    nextStepAt: dateOrNull(row.next_step_at),
    stepMs: row.step_ms,
    broadcastAt: dateOrNull(row.broadcast_at),
    completedAt: dateOrNull(row.completed_at),
    createdAt: new Date(row.created_at),
  };
}

export async function insertWithdrawal(sql: SqlClient, w: WithdrawalRecord): Promise<void> {
  await sql.query(
    `INSERT INTO crypto_withdrawal (id, tenant_id, livemode, account_id, wallet_id, asset, network, address, amount, network_fee, status,
                                    transaction_hash, failure_code, failure_message, balance_transaction_id, ledger_transaction_id,
                                    failure_balance_transaction_id, next_step_at, step_ms, broadcast_at, completed_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::numeric, $10::numeric, $11::"CryptoWithdrawalStatus", $12, $13, $14, $15, $16, $17, $18, $19,
             $20, $21, $22)`,
    [
      w.id,
      w.tenantId,
      w.livemode,
      w.accountId,
      w.walletId,
      w.asset,
      w.network,
      w.address,
      w.amount.toString(),
      w.networkFee.toString(),
      w.status,
      w.transactionHash,
      w.failureCode,
      w.failureMessage,
      w.balanceTransactionId,
      w.ledgerTransactionId,
      w.failureBalanceTransactionId,
      w.nextStepAt,
      w.stepMs,
      w.broadcastAt,
      w.completedAt,
      w.createdAt,
    ],
  );
}

/** Withdrawals by id, in the order asked (null where missing or another tenant's). */
export async function findWithdrawals(sql: SqlClient, scope: TenantScope, ids: readonly string[]): Promise<(WithdrawalRecord | null)[]> {
  const rows = await sql.query<WithdrawalRow>(
    `SELECT ${COLUMNS} FROM crypto_withdrawal WHERE id = ANY($1::varchar[]) AND tenant_id = $2 AND livemode = $3`,
    [[...ids], scope.tenantId, scope.livemode],
  );
  return inOrderOf(ids, rows, withdrawalRecord);
}

/** A page of a wallet's withdrawals (newest first; pageSql), optionally of one status. */
export async function listWithdrawals(
  sql: SqlClient,
  scope: TenantScope,
  walletId: string,
  page: PageRequest,
  status?: WithdrawalStatus,
): Promise<WithdrawalRecord[]> {
  const window = pageSql(page, 5);
  const rows = await sql.query<WithdrawalRow>(
    `SELECT ${COLUMNS} FROM crypto_withdrawal
      WHERE wallet_id = $1 AND tenant_id = $2 AND livemode = $3
        AND ($4::"CryptoWithdrawalStatus" IS NULL OR status = $4::"CryptoWithdrawalStatus") AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [walletId, scope.tenantId, scope.livemode, status ?? null, ...window.params],
  );
  return rows.map(withdrawalRecord);
}

/** Locks the due withdrawals (FOR UPDATE SKIP LOCKED), oldest due first. */
export async function claimDueWithdrawals(sql: SqlClient, due: DueRows): Promise<Claimed<WithdrawalRecord>[]> {
  const rows = await sql.query<WithdrawalRow>(
    `SELECT ${COLUMNS}
       FROM crypto_withdrawal
      WHERE status IN (${ACTIVE}) AND next_step_at <= $1 AND ($3::varchar IS NULL OR tenant_id = $3)
      ORDER BY next_step_at, id
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [due.now, due.limit, due.tenantId ?? null],
  );
  return rows.map((row) => ({ id: row.id, record: () => withdrawalRecord(row) }));
}

/**
 * Writes a transition: the lifecycle columns of `to` (status, chain outcome, next step),
 * conditionally on the status it starts from; false when the withdrawal is no longer `from`.
 */
export async function writeWithdrawalTransition(sql: SqlClient, from: WithdrawalStatus, to: WithdrawalRecord): Promise<boolean> {
  const written = await sql.query(
    `UPDATE crypto_withdrawal
        SET status = $3::"CryptoWithdrawalStatus", transaction_hash = $4, failure_code = $5, failure_message = $6,
            failure_balance_transaction_id = $7, next_step_at = $8, broadcast_at = $9, completed_at = $10
      WHERE id = $1 AND status = $2::"CryptoWithdrawalStatus"
      RETURNING 1 AS moved`,
    [
      to.id,
      from,
      to.status,
      to.transactionHash,
      to.failureCode,
      to.failureMessage,
      to.failureBalanceTransactionId,
      to.nextStepAt,
      to.broadcastAt,
      to.completedAt,
    ],
  );
  return written.length === 1;
}

/** Moves a withdrawal's next step out (a step that failed), without changing its status. */
export async function postponeWithdrawal(sql: SqlClient, id: string, until: Date): Promise<void> {
  await sql.query(`UPDATE crypto_withdrawal SET next_step_at = $2 WHERE id = $1 AND status IN (${ACTIVE})`, [id, until]);
}
