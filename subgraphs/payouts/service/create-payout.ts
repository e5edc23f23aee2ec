// createPayout: money leaves an account's available balance for one of its bank accounts.
// The payout row and its ledger debit (amount plus fee; the fee to the platform's FEES account)
// commit in one transaction; the bank rail worker (advance-payouts.ts) takes it from there.
// Errors: BAD_USER_INPUT (amount, method limit, statement descriptor, metadata), NOT_FOUND
// (account or bank account, also another tenant's), PAYOUTS_NOT_ENABLED, CURRENCY_MISMATCH,
// INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED / _IN_USE. A refusal writes nothing.

import { loadPayoutDestination } from "../../accounts/api.ts";
import { checkAmount } from "../../balances/api.ts";
import { post } from "../../ledger/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError, refused } from "../../shared/errors.ts";
import { newId, type AccountId, type Id } from "../../shared/ids.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { arrivalDate } from "../domain/arrival.ts";
import { checkPayoutMetadata, checkStatementDescriptor } from "../domain/payout-input.ts";
import { payoutDebitPosting } from "../domain/postings.ts";
import { checkMethodLimits, payoutFee, type PayoutMethod } from "../domain/pricing.ts";
import { railFailureFor } from "../domain/rail.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { insertPayout, type PayoutRecord } from "../store.ts";
import { findPayout } from "./read-payouts.ts";

export interface CreatePayoutInput {
  readonly accountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly method: PayoutMethod;
  /** A ba_… of the account; omitted: its default bank account for the currency. */
  readonly destinationId?: Id<"bankAccount"> | null | undefined;
  readonly statementDescriptor?: string | null | undefined;
  readonly metadata?: unknown;
}

export async function createPayout(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: CreatePayoutInput,
  idempotencyKey: string,
): Promise<PayoutRecord> {
  const money = checkAmount(input.amount, input.currency);
  if (isRefusal(money)) throw refused(money);
  const limit = checkMethodLimits(input.method, money);
  if (limit) throw refused(limit);
  const descriptor = checkStatementDescriptor(input.statementDescriptor);
  if (isRefusal(descriptor)) throw refused(descriptor);
  const metadata = checkPayoutMetadata(input.metadata);
  if (!metadata.ok) throw refused(metadata.problem);

  const params = {
    ...input,
    destinationId: input.destinationId ?? null,
    statementDescriptor: descriptor ?? null,
    metadata: metadata.metadata,
  };
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "createPayout", params },
    { toJson: (payout) => ({ payoutId: payout.id }), fromJson: async (json) => findPayout(deps, principal, json["payoutId"] as string) },
    async (sql, complete) => {
      // Locks the account FOR SHARE (it cannot be closed under us) and checks payouts are enabled.
      const destination = await loadPayoutDestination(sql, deps.keyring, principal, {
        accountId: input.accountId,
        externalAccountId: input.destinationId ?? undefined,
        currency: money.currency,
      });
      if (destination.currency !== money.currency) {
        throw new AppError(
          "CURRENCY_MISMATCH",
          `The bank account ${destination.id} receives ${destination.currency}; this payout is in ${money.currency}`,
        );
      }
      const now = new Date();
      const fee = payoutFee(input.method, money.amount);
      const payout: PayoutRecord = {
        id: newId("payout"),
        tenantId: principal.tenantId,
        livemode: principal.livemode,
        accountId: destination.accountId,
        destinationId: destination.id,
        currency: money.currency,
        amount: money.amount,
        fee,
        method: input.method,
        status: "PENDING",
        arrivalDate: arrivalDate(input.method, now),
        failureCode: null,
        failureMessage: null,
        statementDescriptor: descriptor ?? null,
        metadata: metadata.metadata,
        balanceTransactionId: newId("balanceTransaction"),
        ledgerTransactionId: newId("ledgerTransaction"),
        reversalBalanceTransactionId: null,
        // Each payout keeps the step time it was created with, whichever worker advances it.
        nextStepAt: new Date(now.getTime() + deps.config.PAYOUT_STEP_MS),
        stepMs: deps.config.PAYOUT_STEP_MS,
        railFailureCode: railFailureFor(destination) ?? null,
        createdAt: now,
        updatedAt: now,
      };
      await insertPayout(sql, payout);
      await complete(payout);
      await post(sql, principal, [
        payoutDebitPosting(
          {
            payoutId: payout.id,
            platformId: principal.tenantId,
            accountId: payout.accountId,
            amount: payout.amount,
            fee,
            currency: payout.currency,
            ledgerTransactionId: payout.ledgerTransactionId,
          },
          { id: payout.balanceTransactionId, at: now, description: `Payout ${payout.id} to bank account ••••${destination.last4}` },
        ),
      ]);
      return payout;
    },
  );
}
