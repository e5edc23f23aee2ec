// The ledger store's customer-facing history, balance_transaction (txn_…): written by
// ledger_post, read here, and made AVAILABLE when a pending credit settles. Reads are always
// inside the caller's tenant and mode.

import type { SqlClient } from "../../shared/db/database.ts";
import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import { pageSql, type PageRequest } from "../../shared/pagination.ts";
import { createdSql, type CreatedBounds } from "../../shared/created-range.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import type { BalanceTransactionType } from "../domain/ledger.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";

export interface BalanceTransactionRecord {
  readonly id: BalanceTransactionId;
  readonly accountId: AccountId;
  readonly type: BalanceTransactionType;
  readonly currency: Currency;
  /** Signed: negative when money leaves the account. */
  readonly amount: bigint;
  readonly fee: bigint;
  readonly net: bigint;
  readonly status: "PENDING" | "AVAILABLE";
  readonly availableOn: Date;
  readonly description: string | null;
  /** The object that caused it (tu_…, tr_…, po_…, cc_…). */
  readonly sourceId: string | null;
  readonly createdAt: Date;
}

interface Row extends Omit<BalanceTransactionRecord, "currency" | "amount" | "fee" | "net"> {
  currency: string;
  amount: string;
  fee: string;
  net: string;
}

const COLUMNS = `t.id, t.account_id AS "accountId", t.type::text AS type, t.currency, t.amount::text AS amount, t.fee::text AS fee,
  t.net::text AS net, t.status::text AS status, t.available_on AS "availableOn", t.description, t.source_id AS "sourceId",
  t.created_at AS "createdAt"`;

function toRecord(row: Row): BalanceTransactionRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`balance transaction ${row.id} has an unknown currency ${row.currency}`);
  return { ...row, currency, amount: BigInt(row.amount), fee: BigInt(row.fee), net: BigInt(row.net) };
}

export interface HistoryScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

/** By id, in the order of `ids` (null where none is in the scope); one query per batch. */
export async function findBalanceTransactions(
  sql: SqlClient,
  scope: HistoryScope,
  ids: readonly string[],
): Promise<(BalanceTransactionRecord | null)[]> {
  const rows = await sql.query<Row>(
    `SELECT ${COLUMNS} FROM balance_transaction t WHERE t.tenant_id = $1 AND t.livemode = $2 AND t.id = ANY($3::varchar[])`,
    [scope.tenantId, scope.livemode, [...ids]],
  );
  return inOrderOf(ids, rows, toRecord);
}

/**
 * A page of an account's history (newest first; pageSql), created within `created` and of one
 * type if given. The bounds are ANDed onto the (account_id, created_at desc, id desc) index's
 * range, so a page costs the same wherever in the history it falls, in either direction; a type
 * filters the range as it is read.
 */
export async function listBalanceTransactions(
  sql: SqlClient,
  scope: HistoryScope,
  accountId: string,
  page: PageRequest,
  created?: CreatedBounds,
  type?: BalanceTransactionType,
): Promise<BalanceTransactionRecord[]> {
  const range = createdSql(created, 4, "t");
  const window = pageSql(page, 9, "t");
  const rows = await sql.query<Row>(
    `SELECT ${COLUMNS} FROM balance_transaction t
      WHERE t.tenant_id = $1 AND t.livemode = $2 AND t.account_id = $3 AND ${range.where}
        AND ($8::"BalanceTransactionType" IS NULL OR t.type = $8::"BalanceTransactionType") AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [scope.tenantId, scope.livemode, accountId, ...range.params, type ?? null, ...window.params],
  );
  return rows.map(toRecord);
}

/** Pending credits become available (their top-up settled), in the caller's transaction. */
export async function markAvailable(sql: SqlClient, ids: readonly BalanceTransactionId[]): Promise<void> {
  await sql.query(`UPDATE balance_transaction SET status = 'AVAILABLE' WHERE id = ANY($1::varchar[])`, [[...ids]]);
}
