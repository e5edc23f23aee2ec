// The crypto_wallet table: a wallet per account, asset and network (and mode), with the deposit
// address derived from its id. Part of the crypto store (see rows.ts).

import type { SqlClient } from "../../shared/db/database.ts";
import type { Currency } from "../../shared/money/currency.ts";
import type { Network } from "../domain/assets.ts";
import { assetNetworkOf, type TenantScope } from "./rows.ts";
import type { AccountId } from "../../shared/ids.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";

export interface WalletRecord {
  readonly id: string;
  readonly accountId: AccountId;
  readonly livemode: boolean;
  readonly asset: Currency;
  readonly network: Network;
  readonly address: string;
  readonly createdAt: Date;
}

interface WalletRow {
  id: string;
  account_id: AccountId;
  livemode: boolean;
  asset: string;
  network: string;
  address: string;
  created_at: Date;
}

const COLUMNS = "id, account_id, livemode, asset, network, address, created_at";

function walletRecord(row: WalletRow): WalletRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    livemode: row.livemode,
    ...assetNetworkOf(row.id, row.asset, row.network),
    address: row.address,
    createdAt: new Date(row.created_at),
  };
}

/** A wallet of the caller's tenant and mode; null otherwise. */
export async function walletById(sql: SqlClient, scope: TenantScope, id: string): Promise<WalletRecord | null> {
  const [row] = await sql.query<WalletRow>(`SELECT ${COLUMNS} FROM crypto_wallet WHERE id = $1 AND tenant_id = $2 AND livemode = $3`, [
    id,
    scope.tenantId,
    scope.livemode,
  ]);
  return row ? walletRecord(row) : null;
}

/** Wallets by id, in the order asked (null where missing or another tenant's). */
export async function findWallets(sql: SqlClient, scope: TenantScope, ids: readonly string[]): Promise<(WalletRecord | null)[]> {
  const rows = await sql.query<WalletRow>(
    `SELECT ${COLUMNS} FROM crypto_wallet WHERE id = ANY($1::varchar[]) AND tenant_id = $2 AND livemode = $3`,
    [[...ids], scope.tenantId, scope.livemode],
  );
  return inOrderOf(ids, rows, walletRecord);
}

/** The wallets of many accounts in one query, oldest first per account. */
export async function walletsOfAccounts(sql: SqlClient, scope: TenantScope, accountIds: readonly string[]): Promise<WalletRecord[][]> {
  const rows = await sql.query<WalletRow>(
    `SELECT ${COLUMNS} FROM crypto_wallet WHERE account_id = ANY($1::varchar[]) AND tenant_id = $2 AND livemode = $3 ORDER BY created_at, id`,
    [[...accountIds], scope.tenantId, scope.livemode],
  );
  const records = rows.map(walletRecord);
  return accountIds.map((id) => records.filter((wallet) => wallet.accountId === id));
}

/**
 * Inserts the wallet unless the account already has one for the asset and network (the unique
 * (account, asset, network, mode)); returns the one stored either way, so concurrent callers
 * get the same wallet.
 */
export async function insertWalletOnce(sql: SqlClient, scope: TenantScope, wallet: WalletRecord): Promise<WalletRecord> {
  const [inserted] = await sql.query<WalletRow>(
    `INSERT INTO crypto_wallet (id, tenant_id, livemode, account_id, asset, network, address, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT DO NOTHING
     RETURNING ${COLUMNS}`,
    [wallet.id, scope.tenantId, scope.livemode, wallet.accountId, wallet.asset, wallet.network, wallet.address, wallet.createdAt],
  );
  if (inserted) return walletRecord(inserted);
  const [existing] = await sql.query<WalletRow>(
    `SELECT ${COLUMNS} FROM crypto_wallet WHERE account_id = $1 AND asset = $2 AND network = $3 AND livemode = $4 AND tenant_id = $5`,
    [wallet.accountId, wallet.asset, wallet.network, scope.livemode, scope.tenantId],
  );
  if (!existing) throw new Error(`wallet for ${wallet.accountId} ${wallet.asset}/${wallet.network} neither inserted nor found`);
  return walletRecord(existing);
}

/** True when the account has a wallet of this asset on any network. */
export async function hasWalletFor(sql: SqlClient, scope: TenantScope, accountId: AccountId, asset: Currency): Promise<boolean> {
  const rows = await sql.query(
    `SELECT 1 FROM crypto_wallet WHERE account_id = $1 AND asset = $2 AND livemode = $3 AND tenant_id = $4 LIMIT 1`,
    [accountId, asset, scope.livemode, scope.tenantId],
  );
  return rows.length > 0;
}
