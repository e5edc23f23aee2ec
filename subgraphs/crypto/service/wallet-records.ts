// Crypto wallets as records, always read inside the caller's tenant and mode. The raw-SQL
// readers run inside a use case's transaction; the Prisma ones serve GraphQL reads.

import type { CryptoWallet as WalletRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { newId } from "../../shared/ids.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { depositAddress } from "../domain/address/index.ts";
import { isNetwork, type Network } from "../domain/assets.ts";

export interface WalletRecord {
  readonly id: string;
  readonly accountId: string;
  readonly livemode: boolean;
  readonly asset: Currency;
  readonly network: Network;
  readonly address: string;
  readonly createdAt: Date;
}

export interface Scope {
  readonly tenantId: string;
  readonly livemode: boolean;
}

interface WalletSqlRow {
  id: string;
  account_id: string;
  livemode: boolean;
  asset: string;
  network: string;
  address: string;
  created_at: Date;
}

function record(row: { id: string; accountId: string; livemode: boolean; asset: string; network: string; address: string; createdAt: Date }): WalletRecord {
  const asset = parseCurrency(row.asset);
  if (!asset || !isNetwork(row.network)) throw new Error(`wallet ${row.id} holds an unknown asset or network`);
  return { id: row.id, accountId: row.accountId, livemode: row.livemode, asset, network: row.network, address: row.address, createdAt: new Date(row.createdAt) };
}

export const walletRecord = (row: WalletRow): WalletRecord => record(row);

const fromSql = (row: WalletSqlRow): WalletRecord =>
  record({ id: row.id, accountId: row.account_id, livemode: row.livemode, asset: row.asset, network: row.network, address: row.address, createdAt: row.created_at });

const COLUMNS = "id, account_id, livemode, asset, network, address, created_at";

/** A wallet of the caller's tenant and mode, inside the caller's transaction; null otherwise. */
export async function walletById(sql: SqlClient, scope: Scope, id: string): Promise<WalletRecord | null> {
  const [row] = await sql.query<WalletSqlRow>(`SELECT ${COLUMNS} FROM crypto_wallet WHERE id = $1 AND tenant_id = $2 AND livemode = $3`, [
    id,
    scope.tenantId,
    scope.livemode,
  ]);
  return row ? fromSql(row) : null;
}

/**
 * The account's wallet for an asset on a network, opened if it has none (concurrent callers
 * meet on the unique (account, asset, network, mode) and get the same wallet).
 */
export async function ensureWallet(sql: SqlClient, scope: Scope, accountId: string, asset: Currency, network: Network): Promise<WalletRecord> {
  const id = newId("cryptoWallet");
  const inserted = await sql.query<WalletSqlRow>(
    `INSERT INTO crypto_wallet (id, tenant_id, livemode, account_id, asset, network, address, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT DO NOTHING
     RETURNING ${COLUMNS}`,
    [id, scope.tenantId, scope.livemode, accountId, asset, network, depositAddress(network, scope.livemode, id), new Date()],
  );
  if (inserted[0]) return fromSql(inserted[0]);
  const [existing] = await sql.query<WalletSqlRow>(
    `SELECT ${COLUMNS} FROM crypto_wallet WHERE account_id = $1 AND asset = $2 AND network = $3 AND livemode = $4 AND tenant_id = $5`,
    [accountId, asset, network, scope.livemode, scope.tenantId],
  );
  if (!existing) throw new Error(`wallet for ${accountId} ${asset}/${network} neither inserted nor found`);
  return fromSql(existing);
}

/** True when the account has a wallet of this asset on any network. */
export async function hasWalletFor(sql: SqlClient, scope: Scope, accountId: string, asset: Currency): Promise<boolean> {
  const rows = await sql.query(`SELECT 1 FROM crypto_wallet WHERE account_id = $1 AND asset = $2 AND livemode = $3 AND tenant_id = $4 LIMIT 1`, [
    accountId,
    asset,
    scope.livemode,
    scope.tenantId,
  ]);
  return rows.length > 0;
}

export async function findWallets(deps: Dependencies, principal: PlatformPrincipal, ids: readonly string[]): Promise<(WalletRecord | null)[]> {
  const rows = await deps.db.prisma.cryptoWallet.findMany({
    where: { id: { in: [...ids] }, tenantId: principal.tenantId, livemode: principal.livemode },
  });
  const byId = new Map(rows.map((row) => [row.id, walletRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The wallets of many accounts in one query, oldest first per account. */
export async function walletsOfAccounts(deps: Dependencies, principal: PlatformPrincipal, accountIds: readonly string[]): Promise<WalletRecord[][]> {
  const rows = await deps.db.prisma.cryptoWallet.findMany({
    where: { accountId: { in: [...accountIds] }, tenantId: principal.tenantId, livemode: principal.livemode },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const records = rows.map(walletRecord);
  return accountIds.map((id) => records.filter((row) => row.accountId === id));
}
