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

export interface PayoutMoney {
  readonly payoutId: string;
  readonly platformId: string;
  readonly accountId: string;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly currency: Currency;
  /** The creation posting's ledger transaction. */
  readonly ledgerTransactionId: string;
}

export function payoutDebitPosting(
  payout: PayoutMoney,
  balanceTransaction: { readonly id: string; readonly at: Date; readonly description?: string | undefined },
): Posting {
  const entries = [
    { accountId: payout.accountId, currency: payout.currency, kind: "AVAILABLE" as const, amount: -(payout.amount + payout.fee) },
    { accountId: payout.platformId, currency: payout.currency, kind: "PAYOUT_CLEARING" as const, amount: payout.amount },
    ...(payout.fee > 0n ? [{ accountId: payout.platformId, currency: payout.currency, kind: "FEES" as const, amount: payout.fee }] : []),
  ];
  return {
    id: payout.ledgerTransactionId,
    kind: "PAYOUT",
    reference: payout.payoutId,
    entries,
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
  ids: { readonly ledgerTransactionId: string; readonly balanceTransactionId: string },
  at: Date,
  description: string,
): Posting {
  const original = payoutDebitPosting(payout, { id: "unused", at });
  const kind = to === "FAILED" ? "PAYOUT_FAILURE" : "PAYOUT_CANCEL";
  return {
    ...reversal(original, ids.ledgerTransactionId, kind),
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
