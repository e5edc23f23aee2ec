// simulateCryptoDeposit (test mode only): credits a wallet as if an on-chain deposit to its
// address had confirmed: CRYPTO_NETWORK -amount, AVAILABLE +amount, a CRYPTO_DEPOSIT balance
// transaction and a balance event for subscribers.
// Errors: FORBIDDEN (live mode), NOT_FOUND (wallet, including another tenant's), BAD_USER_INPUT
// (amount), INVALID_STATE (closed account), IDEMPOTENCY_KEY_REUSED / _IN_USE.

import { accountFacts } from "../../accounts/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError, notFound, refused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { post } from "../../ledger/api.ts";
import { simulatedTransactionHash } from "../domain/chain.ts";
import { checkDeposit } from "../domain/deposit.ts";
import { depositPosting } from "../domain/postings.ts";
import { findDeposits, insertDeposit, type DepositRecord } from "../store/deposits.ts";
import { walletById } from "../store/wallets.ts";

export interface SimulateDepositInput {
  readonly walletId: string;
  readonly amount: bigint;
}

export async function simulateCryptoDeposit(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: SimulateDepositInput,
  idempotencyKey: string,
): Promise<DepositRecord> {
  if (principal.livemode) throw new AppError("FORBIDDEN", "Deposits can be simulated in test mode only (use an sk_test_ key)");
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "simulateCryptoDeposit", params: input },
    {
      toJson: (deposit) => ({ depositId: deposit.id }),
      fromJson: async (json) => {
        const [deposit] = await findDeposits(deps.db.sql, principal, [json["depositId"] as string]);
        if (!deposit) throw notFound("crypto deposit", String(json["depositId"]));
        return deposit;
      },
    },
    async (sql, complete) => {
      const wallet = await walletById(sql, principal, input.walletId);
      if (!wallet) throw notFound("crypto wallet", input.walletId);
      const account = await accountFacts(sql, principal, wallet.accountId);
      if (!account) throw notFound("crypto wallet", input.walletId);
      const problem = checkDeposit(input.amount, wallet.asset, account);
      if (problem) throw refused(problem);

      const id = newId("cryptoDeposit");
      const deposit: DepositRecord = {
        id,
        accountId: account.id,
        walletId: wallet.id,
        asset: wallet.asset,
        network: wallet.network,
        amount: input.amount,
        transactionHash: simulatedTransactionHash(wallet.network, id),
        balanceTransactionId: newId("balanceTransaction"),
        createdAt: new Date(),
      };
      await insertDeposit(sql, principal, deposit);
      await complete(deposit);
      await post(sql, principal, [
        depositPosting({
          ledgerTransactionId: newId("ledgerTransaction"),
          depositId: deposit.id,
          platformId: principal.tenantId,
          accountId: account.id,
          asset: deposit.asset,
          amount: deposit.amount,
          balanceTransactionId: deposit.balanceTransactionId,
          at: deposit.createdAt,
        }),
      ]);
      return deposit;
    },
  );
}
