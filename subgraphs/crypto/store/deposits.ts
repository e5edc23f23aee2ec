// The crypto_deposit table: simulated on-chain deposits into a wallet (test mode). Part of the
// crypto store (see rows.ts).

import type { SqlClient } from "../../shared/db/database.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { pageSql, type PageRequest } from "../../shared/pagination.ts";
import type { Network } from "../domain/assets.ts";
import { assetNetworkOf, type TenantScope } from "./rows.ts";
import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";

export interface DepositRecord {
  readonly id: string;
  readonly accountId: AccountId;
  readonly walletId: string;
  readonly asset: Currency;
  readonly network: Network;
  readonly amount: bigint;
  readonly transactionHash: string;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly createdAt: Date;
}

interface DepositRow {
  id: string;
  account_id: AccountId;
  wallet_id: string;
  asset: string;
  network: string;
  amount: string;
  transaction_hash: string;
  balance_transaction_id: BalanceTransactionId;
  created_at: Date;
}

const COLUMNS = "id, account_id, wallet_id, asset, network, amount::text AS amount, transaction_hash, balance_transaction_id, created_at";

function depositRecord(row: DepositRow): DepositRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    walletId: row.wallet_id,
    ...assetNetworkOf(row.id, row.asset, row.network),
    amount: BigInt(row.amount),
    transactionHash: row.transaction_hash,
    balanceTransactionId: row.balance_transaction_id,
    createdAt: new Date(row.created_at),
  };
}

export async function insertDeposit(sql: SqlClient, scope: TenantScope, deposit: DepositRecord): Promise<void> {
  await sql.query(
    `INSERT INTO crypto_deposit (id, tenant_id, livemode, account_id, wallet_id, asset, network, amount, transaction_hash,
                                 balance_transaction_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9, $10, $11)`,
    [
      deposit.id,
      scope.tenantId,
      scope.livemode,
      deposit.accountId,
      deposit.walletId,
      deposit.asset,
      deposit.network,
      deposit.amount.toString(),
      deposit.transactionHash,
      deposit.balanceTransactionId,
      deposit.createdAt,
    ],
  );
}

/** Deposits by id, in the order asked (null where missing or another tenant's). */
export async function findDeposits(sql: SqlClient, scope: TenantScope, ids: readonly string[]): Promise<(DepositRecord | null)[]> {
  const rows = await sql.query<DepositRow>(
    `SELECT ${COLUMNS} FROM crypto_deposit WHERE id = ANY($1::varchar[]) AND tenant_id = $2 AND livemode = $3`,
    [[...ids], scope.tenantId, scope.livemode],
  );
  return inOrderOf(ids, rows, depositRecord);
}

/** A page of a wallet's deposits (newest first; pageSql). */
export async function listDeposits(sql: SqlClient, scope: TenantScope, walletId: string, page: PageRequest): Promise<DepositRecord[]> {
  const window = pageSql(page, 4);
  const rows = await sql.query<DepositRow>(
    `SELECT ${COLUMNS} FROM crypto_deposit
      WHERE wallet_id = $1 AND tenant_id = $2 AND livemode = $3 AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [walletId, scope.tenantId, scope.livemode, ...window.params],
  );
  return rows.map(depositRecord);
}
