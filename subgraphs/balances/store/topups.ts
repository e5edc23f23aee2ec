// The balances store, `topup` table: every statement on it, its row type and its one mapping to
// TopupRecord. Raw SQL in the caller's transaction (createTopup's, the settlement worker's).

import type { SqlClient } from "../../shared/db/database.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";
import { createdSql, type CreatedBounds } from "../../shared/created-range.ts";
import { pageSql, type PageRequest } from "../../shared/pagination.ts";

export interface TopupScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

export interface TopupRecord {
  readonly id: string;
  readonly accountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly status: "PENDING" | "SUCCEEDED";
  readonly description: string | null;
  readonly settlesAt: Date;
  readonly settledAt: Date | null;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly createdAt: Date;
}

interface TopupRow extends Omit<TopupRecord, "amount" | "currency"> {
  readonly amount: string;
  readonly currency: string;
}

const COLUMNS = `t.id, t.account_id AS "accountId", t.amount::text AS amount, t.currency, t.status::text AS status, t.description,
  t.settles_at AS "settlesAt", t.settled_at AS "settledAt", t.balance_transaction_id AS "balanceTransactionId", t.created_at AS "createdAt"`;

function toTopup(row: TopupRow): TopupRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`top-up ${row.id} has an unknown currency`);
  return { ...row, currency, amount: BigInt(row.amount) };
}

/** By id, in the order of `ids` (null where none is in the scope); one query per batch. */
export async function findTopupRows(sql: SqlClient, scope: TopupScope, ids: readonly string[]): Promise<(TopupRecord | null)[]> {
  const rows = await sql.query<TopupRow>(
    `SELECT ${COLUMNS} FROM topup t WHERE t.tenant_id = $1 AND t.livemode = $2 AND t.id = ANY($3::varchar[])`,
    [scope.tenantId, scope.livemode, [...ids]],
  );
  return inOrderOf(ids, rows, toTopup);
}

export async function insertTopup(sql: SqlClient, scope: TopupScope, topup: TopupRecord): Promise<void> {
  await sql.query(
    `INSERT INTO topup (id, tenant_id, livemode, account_id, currency, amount, status, description, settles_at, settled_at,
                        balance_transaction_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6::numeric, $7::"TopupStatus", $8, $9, $10, $11, $12)`,
    [
      topup.id,
      scope.tenantId,
      scope.livemode,
      topup.accountId,
      topup.currency,
      topup.amount.toString(),
      topup.status,
      topup.description,
      topup.settlesAt,
      topup.settledAt,
      topup.balanceTransactionId,
      topup.createdAt,
    ],
  );
}

/**
 * A pending top-up due to settle, with its scope. The currency is as stored, not yet checked:
 * a row no step can settle must fail its own step (the worker then postpones it), not the claim.
 */
export interface DueTopup {
  readonly id: string;
  readonly scope: TopupScope;
  readonly accountId: AccountId;
  readonly amount: bigint;
  readonly currency: string;
  readonly balanceTransactionId: BalanceTransactionId;
}

/**
 * Claims up to `limit` pending top-ups due at `now`, oldest due first, locked FOR UPDATE SKIP
 * LOCKED: several workers each claim a different batch and none waits on another.
 */
export async function claimDueTopups(sql: SqlClient, now: Date, limit: number): Promise<DueTopup[]> {
  const rows = await sql.query<Omit<DueTopup, "scope" | "amount"> & { amount: string; tenantId: AccountId; livemode: boolean }>(
    `SELECT t.id, t.tenant_id AS "tenantId", t.livemode, t.account_id AS "accountId", t.amount::text AS amount, t.currency,
            t.balance_transaction_id AS "balanceTransactionId"
       FROM topup t
      WHERE t.status = 'PENDING' AND t.settles_at <= $1
      ORDER BY t.settles_at, t.id
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(({ tenantId, livemode, amount, ...row }) => ({ ...row, amount: BigInt(amount), scope: { tenantId, livemode } }));
}

export async function markSettled(sql: SqlClient, ids: readonly string[], at: Date): Promise<void> {
  await sql.query(`UPDATE topup SET status = 'SUCCEEDED', settled_at = $2 WHERE id = ANY($1::varchar[])`, [[...ids], at]);
}

/** Moves a pending top-up's settlement to `until`. */
export async function postponeSettlement(sql: SqlClient, id: string, until: Date): Promise<void> {
  await sql.query(`UPDATE topup SET settles_at = $2 WHERE id = $1 AND status = 'PENDING'`, [id, until]);
}

/** A page of an account's top-ups (newest first; pageSql), optionally of one status, created in a range. */
export async function listTopups(
  sql: SqlClient,
  scope: TopupScope,
  accountId: string,
  page: PageRequest,
  filter: { readonly status?: TopupRecord["status"] | undefined; readonly created?: CreatedBounds | undefined },
): Promise<TopupRecord[]> {
  const range = createdSql(filter.created, 5, "t");
  const window = pageSql(page, 9, "t");
  const rows = await sql.query<TopupRow>(
    `SELECT ${COLUMNS} FROM topup t
      WHERE t.tenant_id = $1 AND t.livemode = $2 AND t.account_id = $3 AND ($4::"TopupStatus" IS NULL OR t.status = $4::"TopupStatus")
        AND ${range.where} AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [scope.tenantId, scope.livemode, accountId, filter.status ?? null, ...range.params, ...window.params],
  );
  return rows.map(toTopup);
}
