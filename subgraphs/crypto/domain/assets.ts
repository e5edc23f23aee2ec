// The crypto assets the platform holds, on which networks, and what a withdrawal costs there.
// Pure data and lookups; amounts in the asset's minor unit (satoshi, wei, USDC's micro-unit).

import { currencyInfo, parseCurrency, type Currency } from "../../shared/money/currency.ts";

export const NETWORKS = ["bitcoin", "ethereum", "solana"] as const;
export type Network = (typeof NETWORKS)[number];

export interface AssetNetwork {
  readonly asset: Currency;
  readonly network: Network;
  /** The network a wallet is opened on when none is named (and by a conversion on demand). */
  readonly isDefault: boolean;
  /** Charged on top of every withdrawal, in the asset's minor unit; it covers the chain's fee. */
  readonly networkFee: bigint;
}

const entry = (asset: string, network: Network, isDefault: boolean, networkFee: bigint): AssetNetwork => {
  const currency = parseCurrency(asset);
  if (!currency || currencyInfo(currency).kind !== "crypto") throw new Error(`${asset} is not a crypto currency`);
  return { asset: currency, network, isDefault, networkFee };
};

const TABLE: readonly AssetNetwork[] = [
  entry("BTC", "bitcoin", true, 1_000n), // 0.00001 BTC
  entry("ETH", "ethereum", true, 500_000_000_000_000n), // 0.0005 ETH
  entry("USDC", "ethereum", true, 1_000_000n), // 1.00 USDC (an ERC-20 transfer costs gas)
  entry("USDC", "solana", false, 10_000n), // 0.01 USDC
];

export function supportedAssetNetworks(): readonly AssetNetwork[] {
  return TABLE;
}

export function isNetwork(value: string): value is Network {
  return (NETWORKS as readonly string[]).includes(value);
}

export function findAssetNetwork(asset: Currency, network: string): AssetNetwork | undefined {
  return TABLE.find((entry) => entry.asset === asset && entry.network === network);
}

export function defaultNetwork(asset: Currency): AssetNetwork | undefined {
  return TABLE.find((entry) => entry.asset === asset && entry.isDefault);
}

export function isCryptoAsset(currency: Currency): boolean {
  return currencyInfo(currency).kind === "crypto";
}
