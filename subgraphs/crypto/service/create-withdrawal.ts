// createCryptoWithdrawal: sends crypto from a wallet to an external address. The account's
// balance is debited amount + network fee at once (to CRYPTO_NETWORK and FEES); the crypto
// worker then broadcasts and confirms it, or fails it and credits everything back.
// Errors: NOT_FOUND (wallet, including another tenant's), BAD_USER_INPUT (amount, address for
// the wallet's network), INVALID_STATE (closed account), PAYOUTS_NOT_ENABLED,
// INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED / _IN_USE.

import { accountFacts } from "../../accounts/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { notFound, refused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { post } from "../../ledger/api.ts";
import { withdrawalPosting } from "../domain/postings.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { checkWithdrawal } from "../domain/withdrawal.ts";
import { walletById } from "../store/wallets.ts";
import { findWithdrawals, insertWithdrawal, type WithdrawalRecord } from "../store/withdrawals.ts";

export interface CreateWithdrawalInput {
  readonly walletId: string;
  readonly address: string;
  readonly amount: bigint;
}

export async function createCryptoWithdrawal(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: CreateWithdrawalInput,
  idempotencyKey: string,
): Promise<WithdrawalRecord> {
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "createCryptoWithdrawal", params: input },
    {
      toJson: (withdrawal) => ({ withdrawalId: withdrawal.id }),
      fromJson: async (json) => {
        const [withdrawal] = await findWithdrawals(deps.db.sql, principal, [json["withdrawalId"] as string]);
        if (!withdrawal) throw notFound("crypto withdrawal", String(json["withdrawalId"]));
        return withdrawal;
      },
    },
    async (sql, complete) => {
      const wallet = await walletById(sql, principal, input.walletId);
      if (!wallet) throw notFound("crypto wallet", input.walletId);
      const account = await accountFacts(sql, principal, wallet.accountId);
      if (!account) throw notFound("crypto wallet", input.walletId);
      const terms = checkWithdrawal(input, wallet, account, principal.livemode);
      if (isRefusal(terms)) throw refused(terms);

      const now = new Date();
      const withdrawal: WithdrawalRecord = {
        id: newId("cryptoWithdrawal"),
        tenantId: principal.tenantId,
        livemode: principal.livemode,
        accountId: account.id,
        walletId: wallet.id,
        asset: wallet.asset,
        network: wallet.network,
        address: terms.destination.address,
        amount: terms.amount,
        networkFee: terms.networkFee,
        status: "PENDING",
        transactionHash: null,
        failureCode: null,
        failureMessage: null,
        balanceTransactionId: newId("balanceTransaction"),
        ledgerTransactionId: newId("ledgerTransaction"),
        failureBalanceTransactionId: null,
        // Each withdrawal keeps the step time it was created with, whichever worker advances it.
        nextStepAt: new Date(now.getTime() + deps.config.PAYOUT_STEP_MS),
        stepMs: deps.config.PAYOUT_STEP_MS,
        broadcastAt: null,
        completedAt: null,
        createdAt: now,
      };
      await insertWithdrawal(sql, withdrawal);
      await complete(withdrawal);
      await post(sql, principal, [
        withdrawalPosting({
          ledgerTransactionId: withdrawal.ledgerTransactionId,
          withdrawalId: withdrawal.id,
          platformId: principal.tenantId,
          accountId: account.id,
          asset: wallet.asset,
          amount: withdrawal.amount,
          networkFee: withdrawal.networkFee,
          balanceTransactionId: withdrawal.balanceTransactionId,
          at: now,
        }),
      ]);
      return withdrawal;
    },
  );
}
