// The payouts module's store: every SQL statement on the `payout` table, its row type and the
// one row -> record mapping. Use cases (service/) and the worker call these functions with the
// SqlClient of their transaction (idempotency.run, db.transaction) or the autocommit
// `db.sql` for reads; nothing else in the module writes SQL, and nothing outside it sees a row.
//
// Raw SQL rather than Prisma's model API, reads included: the writes already run in raw-SQL
// transactions (the ledger's `post` takes that client, and Prisma's interactive transactions
// cost about 6× a raw one, see docs/ledger.md), so one client and
// one mapping serve both. Prisma stays the schema and the migrations (prisma/schema/payouts.prisma).
// Every read is inside the caller's tenant and mode: another tenant's payout reads as missing.

import { storedMetadata, type Metadata } from "../accounts/api.ts";
import type { SqlClient } from "../shared/db/database.ts";
import type { Claimed, DueRows } from "../shared/lifecycle/advance.ts";
import { parseCurrency, type Currency } from "../shared/money/currency.ts";
import { pageSql, type PageRequest } from "../shared/pagination.ts";
import { createdSql, type CreatedBounds } from "../shared/created-range.ts";
import { payoutLifecycle, type PayoutStatus } from "./domain/lifecycle.ts";
import type { PayoutMethod } from "./domain/pricing.ts";
import type { AccountId, BalanceTransactionId, Id, PayoutId } from "../shared/ids.ts";
import { inOrderOf } from "../shared/db/in-order.ts";

export type { PayoutStatus };

export interface TenantScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

export interface PayoutRecord {
  readonly id: PayoutId;
  readonly tenantId: AccountId;
  readonly livemode: boolean;
  readonly accountId: AccountId;
  readonly destinationId: Id<"bankAccount">;
  readonly currency: Currency;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly method: PayoutMethod;
  readonly status: PayoutStatus;
  readonly arrivalDate: Date;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly statementDescriptor: string | null;
  readonly metadata: Metadata;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly ledgerTransactionId: string;
  readonly reversalBalanceTransactionId: BalanceTransactionId | null;
  /** When the bank rail takes the next step; null once final. */
  readonly nextStepAt: Date | null;
  /** How long each rail step takes for this payout (PAYOUT_STEP_MS of the process that created it). */
  readonly stepMs: number;
  /** The bank's answer decided at creation (test account numbers); null: it pays. */
  readonly railFailureCode: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface PayoutRow {
  id: PayoutId;
  tenant_id: AccountId;
  livemode: boolean;
  account_id: AccountId;
  destination_id: Id<"bankAccount">;
  currency: string;
  amount: string;
  fee: string;
  method: PayoutMethod;
  status: PayoutStatus;
  arrival_date: Date;
  failure_code: string | null;
  failure_message: string | null;
  statement_descriptor: string | null;
  metadata: unknown;
  balance_transaction_id: BalanceTransactionId;
  ledger_transaction_id: string;
  reversal_balance_transaction_id: BalanceTransactionId | null;
  next_step_at: Date | null;
  step_ms: number;
  rail_failure_code: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, tenant_id, livemode, account_id, destination_id, currency, amount::text AS amount, fee::text AS fee,
  method::text AS method, status::text AS status, arrival_date, failure_code, failure_message, statement_descriptor, metadata,
  balance_transaction_id, ledger_transaction_id, reversal_balance_transaction_id, next_step_at, step_ms, rail_failure_code,
  created_at, updated_at`;

// The statuses a worker still moves on, as SQL (fixed identifiers from the state machine).
const ACTIVE = payoutLifecycle.active.map((status) => `'${status}'`).join(", ");

function payoutRecord(row: PayoutRow): PayoutRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`payout ${row.id} has an unknown currency`);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    livemode: row.livemode,
    accountId: row.account_id,
    destinationId: row.destination_id,
    currency,
    amount: BigInt(row.amount),
    fee: BigInt(row.fee),
    method: row.method,
    status: row.status,
    arrivalDate: new Date(row.arrival_date),
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    statementDescriptor: row.statement_descriptor,
    metadata: storedMetadata(typeof row.metadata === "string" ? JSON.parse(row.metadata) : row.metadata),
    balanceTransactionId: row.balance_transaction_id,
    ledgerTransactionId: row.ledger_transaction_id,
    reversalBalanceTransactionId: row.reversal_balance_transaction_id,
    nextStepAt: row.next_step_at === null ? null : new Date(row.next_step_at),
    stepMs: row.step_ms,
    railFailureCode: row.rail_failure_code,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export async function insertPayout(sql: SqlClient, payout: PayoutRecord): Promise<void> {
  await sql.query(
    `INSERT INTO payout (id, tenant_id, livemode, account_id, destination_id, currency, amount, fee, method, status, arrival_date,
                         failure_code, failure_message, statement_descriptor, metadata, balance_transaction_id, ledger_transaction_id,
                         reversal_balance_transaction_id, next_step_at, step_ms, rail_failure_code, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, $9::"PayoutMethod", $10::"PayoutStatus", $11, $12, $13, $14, $15::jsonb,
             $16, $17, $18, $19, $20, $21, $22, $23)`,
    [
      payout.id,
      payout.tenantId,
      payout.livemode,
      payout.accountId,
      payout.destinationId,
      payout.currency,
      payout.amount.toString(),
      payout.fee.toString(),
      payout.method,
      payout.status,
      payout.arrivalDate,
      payout.failureCode,
      payout.failureMessage,
      payout.statementDescriptor,
      JSON.stringify(payout.metadata),
      payout.balanceTransactionId,
      payout.ledgerTransactionId,
      payout.reversalBalanceTransactionId,
      payout.nextStepAt,
      payout.stepMs,
      payout.railFailureCode,
      payout.createdAt,
      payout.updatedAt,
    ],
  );
}

/** Payouts by id, in the order asked (null where missing or another tenant's). */
export async function findPayouts(sql: SqlClient, scope: TenantScope, ids: readonly string[]): Promise<(PayoutRecord | null)[]> {
  const rows = await sql.query<PayoutRow>(
    `SELECT ${COLUMNS} FROM payout WHERE id = ANY($1::varchar[]) AND tenant_id = $2 AND livemode = $3`,
    [[...ids], scope.tenantId, scope.livemode],
  );
  return inOrderOf(ids, rows, payoutRecord);
}

/** The payout, locked FOR UPDATE (the bank rail worker skips it until the caller commits). */
export async function lockPayout(sql: SqlClient, scope: TenantScope, id: string): Promise<PayoutRecord | null> {
  const [row] = await sql.query<PayoutRow>(`SELECT ${COLUMNS} FROM payout WHERE id = $1 AND tenant_id = $2 AND livemode = $3 FOR UPDATE`, [
    id,
    scope.tenantId,
    scope.livemode,
  ]);
  return row ? payoutRecord(row) : null;
}

/** A page of an account's payouts (newest first; pageSql), optionally of one status, created in a range. */
export async function listPayouts(
  sql: SqlClient,
  scope: TenantScope,
  accountId: string,
  page: PageRequest,
  status?: PayoutStatus,
  created?: CreatedBounds,
): Promise<PayoutRecord[]> {
  const range = createdSql(created, 5);
  const window = pageSql(page, 9);
  const rows = await sql.query<PayoutRow>(
    `SELECT ${COLUMNS} FROM payout
      WHERE tenant_id = $1 AND livemode = $2 AND account_id = $3 AND ($4::"PayoutStatus" IS NULL OR status = $4::"PayoutStatus")
        AND ${range.where} AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [scope.tenantId, scope.livemode, accountId, status ?? null, ...range.params, ...window.params],
  );
  return rows.map(payoutRecord);
}

/** How many of an account's payouts are still on the bank rail (PENDING or IN_TRANSIT). */
export async function countPayoutsInFlight(sql: SqlClient, scope: TenantScope, accountId: AccountId): Promise<number> {
  const [row] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM payout WHERE account_id = $1 AND tenant_id = $2 AND livemode = $3 AND status IN (${ACTIVE})`,
    [accountId, scope.tenantId, scope.livemode],
  );
  return row?.n ?? 0;
}

/** Locks the due payouts (FOR UPDATE SKIP LOCKED), oldest due first. */
export async function claimDuePayouts(sql: SqlClient, due: DueRows): Promise<Claimed<PayoutRecord>[]> {
  const rows = await sql.query<PayoutRow>(
    `SELECT ${COLUMNS}
       FROM payout
      WHERE status IN (${ACTIVE}) AND next_step_at <= $1 AND ($3::varchar IS NULL OR tenant_id = $3)
      ORDER BY next_step_at, id
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [due.now, due.limit, due.tenantId ?? null],
  );
  return rows.map((row) => ({ id: row.id, record: () => payoutRecord(row) }));
}

/** What a transition writes besides the status. */
export interface PayoutTransitionWrite {
  readonly from: PayoutStatus;
  readonly to: PayoutStatus;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly nextStepAt: Date | null;
  /** Set when the transition gives money back; kept otherwise. */
  readonly reversalBalanceTransactionId: BalanceTransactionId | null;
  readonly at: Date;
}

/** Writes a transition conditionally on the status it starts from; false when the payout is no longer `from`. */
export async function writePayoutTransition(sql: SqlClient, id: string, write: PayoutTransitionWrite): Promise<boolean> {
  const written = await sql.query(
    `UPDATE payout
        SET status = $3::"PayoutStatus", failure_code = $4, failure_message = $5, next_step_at = $6,
            reversal_balance_transaction_id = COALESCE($7, reversal_balance_transaction_id), updated_at = $8
      WHERE id = $1 AND status = $2::"PayoutStatus"
      RETURNING id`,
    [id, write.from, write.to, write.failureCode, write.failureMessage, write.nextStepAt, write.reversalBalanceTransactionId, write.at],
  );
  return written.length === 1;
}

/** Moves a payout's next step out (a step that failed), without changing its status. */
export async function postponePayout(sql: SqlClient, id: string, until: Date): Promise<void> {
  await sql.query(`UPDATE payout SET next_step_at = $2 WHERE id = $1 AND status IN (${ACTIVE})`, [id, until]);
}
