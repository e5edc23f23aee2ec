// What the crypto store's tables have in common: the tenant scope every statement filters by,
// and reading the asset and network columns back into the domain's types.
//
// The crypto module's store (this folder) holds every SQL statement, row type and row -> record
// mapping of its tables: crypto_wallet (wallets.ts), crypto_quote and crypto_conversion
// (quotes.ts), crypto_withdrawal (withdrawals.ts), crypto_deposit (deposits.ts). Raw SQL, reads
// included: the writes run in raw-SQL transactions (idempotency.run, whose client the ledger's
// `post` takes; a Prisma interactive transaction costs about 6× a raw one, docs/ledger.md), so
// one client and one mapping per entity serve both. Prisma stays the schema and the migrations.

import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { isNetwork, type Network } from "../domain/assets.ts";
import type { AccountId } from "../../shared/ids.ts";

/** The caller's tenant and mode: every read and write is inside it. */
export interface TenantScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

export function currencyOf(id: string, code: string): Currency {
  const currency = parseCurrency(code);
  if (!currency) throw new Error(`${id} has an unknown currency ${code}`);
  return currency;
}

export function assetNetworkOf(id: string, asset: string, network: string): { asset: Currency; network: Network } {
  const currency = parseCurrency(asset);
  if (!currency || !isNetwork(network)) throw new Error(`${id} holds an unknown asset or network`);
  return { asset: currency, network };
}
