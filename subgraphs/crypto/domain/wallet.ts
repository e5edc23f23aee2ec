// Which wallets may be opened: a supported asset on one of its networks, for an open account.

import type { Currency } from "../../shared/money/currency.ts";
import { defaultNetwork, findAssetNetwork, supportedAssetNetworks, type AssetNetwork } from "./assets.ts";
import { refuse, type Refusal } from "../../shared/refusal.ts";
import type { AccountState } from "./withdrawal.ts";

export function checkNewWallet(account: AccountState, asset: Currency, network: string | null | undefined): AssetNetwork | Refusal {
  const offered = supportedAssetNetworks().filter((entry) => entry.asset === asset);
  if (offered.length === 0) {
    const assets = [...new Set(supportedAssetNetworks().map((entry) => entry.asset))].join(", ");
    return refuse("BAD_USER_INPUT", `Wallets hold a supported crypto asset (${assets}), not ${asset}`, "input.asset");
  }
  const chosen = network === null || network === undefined ? defaultNetwork(asset) : findAssetNetwork(asset, network);
  if (!chosen) {
    return refuse(
      "BAD_USER_INPUT",
      `${asset} is offered on ${offered.map((entry) => entry.network).join(", ")}, not "${String(network).slice(0, 32)}"`,
      "input.network",
    );
  }
  if (account.status === "CLOSED") return refuse("INVALID_STATE", "The account is closed");
  return chosen;
}
