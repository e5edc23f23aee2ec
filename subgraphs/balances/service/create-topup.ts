// createTopup: money arrives for an account from outside (test mode simulates the bank). It is
// credited to pending at once and becomes available when it settles: after SETTLEMENT_DELAY_MS,
// by the settlement worker, or in the same commit when the delay is 0.
// Errors: FORBIDDEN (live mode), NOT_FOUND (account), BAD_USER_INPUT (amount, currency,
// description), INVALID_STATE (closed account), IDEMPOTENCY_KEY_REUSED / _IN_USE.
//
// Test mode only. A top-up is money arriving from a bank; test mode plays the bank. Live mode has
// no funding rail connected, and a live top-up that settled without one would credit money that
// never arrived (and could then be paid out): it is refused before anything is stored.

import { accountFacts } from "../../accounts/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError, notFound, refused } from "../../shared/errors.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { checkAmount, checkDescription, checkTopup } from "../domain/money-movement.ts";
import { settlementPosting, topupPosting } from "../domain/postings.ts";
import { post } from "../../ledger/api.ts";
import { findTopup, type TopupRecord } from "./topup-records.ts";
import { insertTopup } from "../store/topups.ts";
import { isRefusal } from "../../shared/refusal.ts";

export interface CreateTopupInput {
  readonly accountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly description?: string | null | undefined;
}

export async function createTopup(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: CreateTopupInput,
  idempotencyKey: string,
): Promise<TopupRecord> {
  if (principal.livemode) {
    throw new AppError(
      "FORBIDDEN",
      "Top-ups are simulated in test mode only: no funding rail is connected to live mode (use an sk_test_ key)",
    );
  }
  const money = checkAmount(input.amount, input.currency);
  if (isRefusal(money)) throw refused(money);
  const description = checkDescription(input.description);
  if (isRefusal(description)) throw refused(description);

  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "createTopup", params: { ...input, description } },
    { toJson: (topup) => ({ topupId: topup.id }), fromJson: async (json) => findTopup(deps.db.sql, principal, json["topupId"] as string) },
    async (sql, complete) => {
      const account = await accountFacts(sql, principal, input.accountId);
      if (!account) throw notFound("account", input.accountId);
      const problem = checkTopup(account, money);
      if (problem) throw refused(problem);

      const now = new Date();
      const immediate = deps.config.SETTLEMENT_DELAY_MS === 0;
      const topup: TopupRecord = {
        id: newId("topup"),
        accountId: account.id,
        amount: money.amount,
        currency: money.currency,
        status: immediate ? "SUCCEEDED" : "PENDING",
        description: description ?? null,
        settlesAt: new Date(now.getTime() + deps.config.SETTLEMENT_DELAY_MS),
        settledAt: immediate ? now : null,
        balanceTransactionId: newId("balanceTransaction"),
        createdAt: now,
      };
      await insertTopup(sql, principal, topup);
      await complete(topup);
      const credit = topupPosting({
        ledgerTransactionId: newId("ledgerTransaction"),
        balanceTransactionId: topup.balanceTransactionId,
        topupId: topup.id,
        platformId: principal.tenantId,
        accountId: account.id,
        amount: money.amount,
        currency: money.currency,
        settlesAt: topup.settlesAt,
        description,
      });
      if (!immediate) {
        await post(sql, principal, [credit]);
        return topup;
      }
      // Credited and settled in one commit: its history says so (status AVAILABLE).
      const settledCredit = {
        ...credit,
        balanceTransactions: credit.balanceTransactions!.map((bt) => ({ ...bt, status: "AVAILABLE" as const })),
      };
      const settle = settlementPosting({
        ledgerTransactionId: newId("ledgerTransaction"),
        topupId: topup.id,
        accountId: account.id,
        amount: money.amount,
        currency: money.currency,
        balanceTransactionId: topup.balanceTransactionId,
      });
      await post(sql, principal, [settledCredit, settle]);
      return topup;
    },
  );
}
