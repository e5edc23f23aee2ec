// The account's wallet for an asset on a network, opened if it has none, inside the caller's
// transaction: createCryptoWallet, and executeCryptoQuote converting into crypto. The deposit
// address is derived from the new wallet's id; concurrent callers meet on the store's unique
// (account, asset, network, mode) and get the same wallet.

import type { SqlClient } from "../../shared/db/database.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { depositAddress } from "../domain/address/index.ts";
import type { Network } from "../domain/assets.ts";
import type { TenantScope } from "../store/rows.ts";
import { insertWalletOnce, type WalletRecord } from "../store/wallets.ts";

export async function ensureWallet(
  sql: SqlClient,
  scope: TenantScope,
  accountId: AccountId,
  asset: Currency,
  network: Network,
): Promise<WalletRecord> {
  const id = newId("cryptoWallet");
  return insertWalletOnce(sql, scope, {
    id,
    accountId,
    livemode: scope.livemode,
    asset,
    network,
    address: depositAddress(network, scope.livemode, id),
    createdAt: new Date(),
  });
}
