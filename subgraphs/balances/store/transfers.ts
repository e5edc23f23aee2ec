// The balances store, `transfer` table: every statement on it, its row type and its one mapping
// to TransferRecord. The batcher inserts a group commit's transfers in one statement.

import type { SqlClient } from "../../shared/db/database.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";
import { createdSql, type CreatedBounds } from "../../shared/created-range.ts";
import { pageSql, type PageRequest } from "../../shared/pagination.ts";

export interface TransferScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

export interface TransferRecord {
  readonly id: string;
  readonly sourceAccountId: AccountId;
  readonly destinationAccountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly description: string | null;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly destinationBalanceTransactionId: BalanceTransactionId;
  readonly createdAt: Date;
}

interface TransferRow extends Omit<TransferRecord, "amount" | "currency"> {
  readonly amount: string;
  readonly currency: string;
}

const COLUMNS = `t.id, t.source_account_id AS "sourceAccountId", t.destination_account_id AS "destinationAccountId", t.amount::text AS amount,
  t.currency, t.description, t.balance_transaction_id AS "balanceTransactionId",
  t.destination_balance_transaction_id AS "destinationBalanceTransactionId", t.created_at AS "createdAt"`;

function toTransfer(row: TransferRow): TransferRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`transfer ${row.id} has an unknown currency`);
  return { ...row, currency, amount: BigInt(row.amount) };
}

/** By id, in the order of `ids` (null where none is in the scope); one query per batch. */
export async function findTransferRows(sql: SqlClient, scope: TransferScope, ids: readonly string[]): Promise<(TransferRecord | null)[]> {
  const rows = await sql.query<TransferRow>(
    `SELECT ${COLUMNS} FROM transfer t WHERE t.tenant_id = $1 AND t.livemode = $2 AND t.id = ANY($3::varchar[])`,
    [scope.tenantId, scope.livemode, [...ids]],
  );
  return inOrderOf(ids, rows, toTransfer);
}

/** Inserts transfers of any scopes in one statement (a group commit's). */
export async function insertTransfers(
  sql: SqlClient,
  transfers: readonly { readonly scope: TransferScope; readonly record: TransferRecord }[],
): Promise<void> {
  if (transfers.length === 0) return;
  await sql.query(
    `INSERT INTO transfer (id, tenant_id, livemode, source_account_id, destination_account_id, currency, amount, description,
                           balance_transaction_id, destination_balance_transaction_id, created_at)
     SELECT t.id, t.tenant_id, t.livemode, t.source, t.destination, t.currency, t.amount::numeric, t.description, t.bt, t.dbt,
            t.created_at::timestamptz
       FROM jsonb_to_recordset($1::jsonb)
         AS t(id text, tenant_id text, livemode boolean, source text, destination text, currency text, amount text,
              description text, bt text, dbt text, created_at text)`,
    [
      JSON.stringify(
        transfers.map(({ scope, record: r }) => ({
          id: r.id,
          tenant_id: scope.tenantId,
          livemode: scope.livemode,
          source: r.sourceAccountId,
          destination: r.destinationAccountId,
          currency: r.currency,
          amount: r.amount.toString(),
          description: r.description,
          bt: r.balanceTransactionId,
          dbt: r.destinationBalanceTransactionId,
          created_at: r.createdAt.toISOString(),
        })),
      ),
    ],
  );
}

/**
 * A page of an account's transfers (newest first; pageSql), created in a range if given: on the
 * platform (`side` "source") those it sent, optionally to one connected account; on a connected
 * account ("destination") those it received. Each side reads its own index.
 */
export async function listTransfers(
  sql: SqlClient,
  scope: TransferScope,
  accountId: string,
  side: "source" | "destination",
  page: PageRequest,
  filter: { readonly destinationAccountId?: string | undefined; readonly created?: CreatedBounds | undefined },
): Promise<TransferRecord[]> {
  const range = createdSql(filter.created, 5, "t");
  const window = pageSql(page, 9, "t");
  const rows = await sql.query<TransferRow>(
    `SELECT ${COLUMNS} FROM transfer t
      WHERE t.tenant_id = $1 AND t.livemode = $2 AND t.${side}_account_id = $3
        AND ($4::varchar IS NULL OR t.destination_account_id = $4::varchar)
        AND ${range.where} AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [scope.tenantId, scope.livemode, accountId, filter.destinationAccountId ?? null, ...range.params, ...window.params],
  );
  return rows.map(toTransfer);
}
