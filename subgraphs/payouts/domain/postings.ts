// The ledger postings of a payout's life, pure.
//
//   created:           AVAILABLE(account)        −(amount + fee)
//                      PAYOUT_CLEARING(platform) +amount
//                      FEES(platform)            +fee            (INSTANT only)
//                      with one PAYOUT balance transaction: amount −amount, fee, net −(amount + fee)
//   PAID:              no posting. PAYOUT_CLEARING is the bank rail's side of the ledger (the
//                      mirror of TOPUP_CLEARING): money there has left the platform's customer
//                      balances for good unless the bank hands it back.
//   FAILED / CANCELED: the exact reversal of the creation posting (fee refunded too), with one
//                      PAYOUT_FAILURE / PAYOUT_CANCEL balance transaction crediting amount + fee.

import { reversal, type Posting } from "../../ledger/api.ts";
import type { Currency } from "../../shared/money/currency.ts";
import type { AccountId, BalanceTransactionId, PayoutId } from "../../shared/ids.ts";

export interface PayoutMoney {
  readonly payoutId: PayoutId;
  readonly platformId: AccountId;
  readonly accountId: AccountId;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly currency: Currency;
  /** The creation posting's ledger transaction. */
  readonly ledgerTransactionId: string;
}

/** The creation posting without its balance transaction: what a reversal undoes. */
function payoutDebit(payout: PayoutMoney): Posting {
  return {
    id: payout.ledgerTransactionId,
    kind: "PAYOUT",
    reference: payout.payoutId,
    entries: [
      { accountId: payout.accountId, currency: payout.currency, kind: "AVAILABLE", amount: -(payout.amount + payout.fee) },
      { accountId: payout.platformId, currency: payout.currency, kind: "PAYOUT_CLEARING", amount: payout.amount },
      ...(payout.fee > 0n ? [{ accountId: payout.platformId, currency: payout.currency, kind: "FEES" as const, amount: payout.fee }] : []),
    ],
  };
}

export function payoutDebitPosting(
  payout: PayoutMoney,
  balanceTransaction: { readonly id: BalanceTransactionId; readonly at: Date; readonly description?: string | undefined },
): Posting {
  return {
    ...payoutDebit(payout),
    balanceTransactions: [
      {
        id: balanceTransaction.id,
        accountId: payout.accountId,
        type: "PAYOUT",
        currency: payout.currency,
        amount: -payout.amount,
        fee: payout.fee,
        status: "AVAILABLE",
        availableOn: balanceTransaction.at,
        description: balanceTransaction.description,
        sourceId: payout.payoutId,
      },
    ],
  };
}

export function payoutReversalPosting(
  payout: PayoutMoney,
  to: "FAILED" | "CANCELED",
  ids: { readonly ledgerTransactionId: string; readonly balanceTransactionId: BalanceTransactionId },
  at: Date,
  description: string,
): Posting {
  const kind = to === "FAILED" ? "PAYOUT_FAILURE" : "PAYOUT_CANCEL";
  return {
    ...reversal(payoutDebit(payout), ids.ledgerTransactionId, kind),
    balanceTransactions: [
      {
        id: ids.balanceTransactionId,
        accountId: payout.accountId,
        type: kind,
        currency: payout.currency,
        amount: payout.amount + payout.fee,
        fee: 0n,
        status: "AVAILABLE",
        availableOn: at,
        description,
        sourceId: payout.payoutId,
      },
    ],
  };
}
