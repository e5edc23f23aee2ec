// createCryptoWallet: opens an account's wallet for an asset on a network (its default network
// when none is named), with a deposit address derived from the wallet's id. An account has at
// most one wallet per asset and network: asking again returns that wallet.
// Errors: NOT_FOUND (account, including another tenant's), BAD_USER_INPUT (asset, network),
// INVALID_STATE (closed account), IDEMPOTENCY_KEY_REUSED / _IN_USE.

import { accountFacts } from "../../accounts/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { notFound, refused } from "../../shared/errors.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { checkNewWallet } from "../domain/wallet.ts";
import { findWallets, type WalletRecord } from "../store/wallets.ts";
import { ensureWallet } from "./ensure-wallet.ts";
import type { AccountId } from "../../shared/ids.ts";

export interface CreateWalletInput {
  readonly accountId: AccountId;
  readonly asset: Currency;
  readonly network?: string | null | undefined;
}

export async function createCryptoWallet(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: CreateWalletInput,
  idempotencyKey: string,
): Promise<WalletRecord> {
  return deps.idempotency.run(
    {
      scope: principalScope(principal),
      key: idempotencyKey,
      operation: "createCryptoWallet",
      params: { ...input, network: input.network ?? null },
    },
    {
      toJson: (wallet) => ({ walletId: wallet.id }),
      fromJson: async (json) => {
        const [wallet] = await findWallets(deps.db.sql, principal, [json["walletId"] as string]);
        if (!wallet) throw notFound("crypto wallet", String(json["walletId"]));
        return wallet;
      },
    },
    async (sql) => {
      const account = await accountFacts(sql, principal, input.accountId);
      if (!account) throw notFound("account", input.accountId);
      const chosen = checkNewWallet(account, input.asset, input.network);
      if (isRefusal(chosen)) throw refused(chosen);
      return ensureWallet(sql, principal, account.id, chosen.asset, chosen.network);
    },
  );
}
