// The balances store, `hold` table: every statement on it, its row type and its one mapping to
// HoldRecord. Raw SQL in the caller's transaction. A hold changes state only under its row lock
// (lockHold for capture and release, claimDueHolds for the expiry worker), and every state
// change is also conditional on the hold still being ACTIVE.

import type { SqlClient } from "../../shared/db/database.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";
import type { AccountId, BalanceTransactionId, HoldId } from "../../shared/ids.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { pageSql, type PageRequest } from "../../shared/pagination.ts";
import { createdSql, type CreatedBounds } from "../../shared/created-range.ts";
import type { HoldStatus } from "../domain/holds.ts";

export interface HoldScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

export interface HoldRecord {
  readonly id: HoldId;
  readonly tenantId: AccountId;
  readonly livemode: boolean;
  readonly accountId: AccountId;
  readonly currency: Currency;
  readonly amount: bigint;
  readonly capturedAmount: bigint | null;
  readonly destinationAccountId: AccountId | null;
  readonly status: HoldStatus;
  readonly description: string | null;
  readonly expiresAt: Date;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly releaseBalanceTransactionId: BalanceTransactionId | null;
  readonly captureBalanceTransactionId: BalanceTransactionId | null;
  readonly destinationBalanceTransactionId: BalanceTransactionId | null;
  readonly createdAt: Date;
  readonly capturedAt: Date | null;
  readonly releasedAt: Date | null;
}

interface HoldRow extends Omit<HoldRecord, "amount" | "capturedAmount" | "currency"> {
  readonly amount: string;
  readonly capturedAmount: string | null;
  readonly currency: string;
}

const COLUMNS = `h.id, h.tenant_id AS "tenantId", h.livemode, h.account_id AS "accountId", h.currency, h.amount::text AS amount,
  h.captured_amount::text AS "capturedAmount", h.destination_account_id AS "destinationAccountId", h.status::text AS status,
  h.description, h.expires_at AS "expiresAt", h.balance_transaction_id AS "balanceTransactionId",
  h.release_balance_transaction_id AS "releaseBalanceTransactionId", h.capture_balance_transaction_id AS "captureBalanceTransactionId",
  h.destination_balance_transaction_id AS "destinationBalanceTransactionId", h.created_at AS "createdAt",
  h.captured_at AS "capturedAt", h.released_at AS "releasedAt"`;

function toHold(row: HoldRow): HoldRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`hold ${row.id} has an unknown currency`);
  return {
    ...row,
    currency,
    amount: BigInt(row.amount),
    capturedAmount: row.capturedAmount === null ? null : BigInt(row.capturedAmount),
  };
}

/** By id, in the order of `ids` (null where none is in the scope); one query per batch. */
export async function findHoldRows(sql: SqlClient, scope: HoldScope, ids: readonly string[]): Promise<(HoldRecord | null)[]> {
  const rows = await sql.query<HoldRow>(
    `SELECT ${COLUMNS} FROM hold h WHERE h.tenant_id = $1 AND h.livemode = $2 AND h.id = ANY($3::varchar[])`,
    [scope.tenantId, scope.livemode, [...ids]],
  );
  return inOrderOf(ids, rows, toHold);
}

/** The hold, locked FOR UPDATE until the caller's transaction ends; null outside the scope. */
export async function lockHold(sql: SqlClient, scope: HoldScope, id: string): Promise<HoldRecord | null> {
  const [row] = await sql.query<HoldRow>(
    `SELECT ${COLUMNS} FROM hold h WHERE h.id = $1 AND h.tenant_id = $2 AND h.livemode = $3 FOR UPDATE`,
    [id, scope.tenantId, scope.livemode],
  );
  return row ? toHold(row) : null;
}

export async function insertHold(sql: SqlClient, hold: HoldRecord): Promise<void> {
  await sql.query(
    `INSERT INTO hold (id, tenant_id, livemode, account_id, currency, amount, status, description, expires_at, balance_transaction_id,
                       created_at)
     VALUES ($1, $2, $3, $4, $5, $6::numeric, $7::"HoldStatus", $8, $9, $10, $11)`,
    [
      hold.id,
      hold.tenantId,
      hold.livemode,
      hold.accountId,
      hold.currency,
      hold.amount.toString(),
      hold.status,
      hold.description,
      hold.expiresAt,
      hold.balanceTransactionId,
      hold.createdAt,
    ],
  );
}

/** An ACTIVE hold's final step, as the state machine decided it. */
export interface HoldOutcome {
  readonly id: HoldId;
  readonly status: Exclude<HoldStatus, "ACTIVE">;
  readonly at: Date;
  readonly releaseBalanceTransactionId: BalanceTransactionId;
  readonly capture?: {
    readonly amount: bigint;
    readonly destinationAccountId: AccountId;
    readonly captureBalanceTransactionId: BalanceTransactionId;
    readonly destinationBalanceTransactionId: BalanceTransactionId;
  };
}

/** Writes the outcomes of ACTIVE holds in one statement; returns the ids that were still ACTIVE. */
export async function finishHolds(sql: SqlClient, outcomes: readonly HoldOutcome[]): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set();
  const rows = await sql.query<{ id: string }>(
    `UPDATE hold h
        SET status = o.status::"HoldStatus",
            released_at = o.at::timestamptz,
            captured_at = CASE WHEN o.status = 'CAPTURED' THEN o.at::timestamptz END,
            captured_amount = o.captured::numeric,
            destination_account_id = o.destination,
            release_balance_transaction_id = o.release_bt,
            capture_balance_transaction_id = o.capture_bt,
            destination_balance_transaction_id = o.destination_bt
       FROM jsonb_to_recordset($1::jsonb)
         AS o(id text, status text, at text, captured text, destination text, release_bt text, capture_bt text, destination_bt text)
      WHERE h.id = o.id AND h.status = 'ACTIVE'
      RETURNING h.id`,
    [
      JSON.stringify(
        outcomes.map((o) => ({
          id: o.id,
          status: o.status,
          at: o.at.toISOString(),
          captured: o.capture?.amount.toString() ?? null,
          destination: o.capture?.destinationAccountId ?? null,
          release_bt: o.releaseBalanceTransactionId,
          capture_bt: o.capture?.captureBalanceTransactionId ?? null,
          destination_bt: o.capture?.destinationBalanceTransactionId ?? null,
        })),
      ),
    ],
  );
  return new Set(rows.map((row) => row.id));
}

/** A page of an account's holds (newest first; pageSql), optionally of one status, created in a range. */
export async function listHolds(
  sql: SqlClient,
  scope: HoldScope,
  accountId: string,
  page: PageRequest,
  status?: HoldStatus,
  created?: CreatedBounds,
): Promise<HoldRecord[]> {
  const range = createdSql(created, 5, "h");
  const window = pageSql(page, 9, "h");
  const rows = await sql.query<HoldRow>(
    `SELECT ${COLUMNS} FROM hold h
      WHERE h.tenant_id = $1 AND h.livemode = $2 AND h.account_id = $3 AND ($4::"HoldStatus" IS NULL OR h.status = $4::"HoldStatus")
        AND ${range.where} AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [scope.tenantId, scope.livemode, accountId, status ?? null, ...range.params, ...window.params],
  );
  return rows.map(toHold);
}

/**
 * Claims up to `limit` ACTIVE holds whose expiresAt has passed at `now` (and not postponed past
 * it), soonest first, FOR UPDATE SKIP LOCKED: several workers each claim different holds, and a
 * hold being captured or released right now is left to that request.
 */
export async function claimDueHolds(sql: SqlClient, now: Date, limit: number): Promise<HoldRecord[]> {
  const rows = await sql.query<HoldRow>(
    `SELECT ${COLUMNS} FROM hold h
      WHERE h.status = 'ACTIVE' AND h.expires_at <= $1 AND (h.expiry_retry_at IS NULL OR h.expiry_retry_at <= $1)
      ORDER BY h.expires_at, h.id
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(toHold);
}

/** Puts an ACTIVE hold's expiry off until `until` (its step failed on its own). */
export async function postponeHoldExpiry(sql: SqlClient, id: string, until: Date): Promise<void> {
  await sql.query(`UPDATE hold SET expiry_retry_at = $2 WHERE id = $1 AND status = 'ACTIVE'`, [id, until]);
}
