// The postings behind each balances operation: which ledger accounts move, by how much.

import type { Currency } from "../../shared/money/currency.ts";
import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import type { Posting } from "../../ledger/api.ts";

export interface TopupPostingInput {
  readonly ledgerTransactionId: string;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly topupId: string;
  readonly platformId: AccountId;
  readonly accountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly settlesAt: Date;
  readonly description?: string | undefined;
}

/** Money arrives from the funding rail into the account's pending balance. */
export function topupPosting(input: TopupPostingInput): Posting {
  return {
    id: input.ledgerTransactionId,
    kind: "TOPUP",
    reference: input.topupId,
    entries: [
      { accountId: input.platformId, currency: input.currency, kind: "TOPUP_CLEARING", amount: -input.amount },
      { accountId: input.accountId, currency: input.currency, kind: "PENDING", amount: input.amount },
    ],
    balanceTransactions: [
      {
        id: input.balanceTransactionId,
        accountId: input.accountId,
        type: "TOPUP",
        currency: input.currency,
        amount: input.amount,
        fee: 0n,
        status: "PENDING",
        availableOn: input.settlesAt,
        description: input.description,
        sourceId: input.topupId,
      },
    ],
  };
}

/** The top-up's funds settle: pending to available. */
export function settlementPosting(input: {
  ledgerTransactionId: string;
  topupId: string;
  accountId: AccountId;
  amount: bigint;
  currency: Currency;
  balanceTransactionId: BalanceTransactionId;
}): Posting {
  return {
    id: input.ledgerTransactionId,
    kind: "TOPUP_SETTLEMENT",
    reference: input.topupId,
    entries: [
      { accountId: input.accountId, currency: input.currency, kind: "PENDING", amount: -input.amount },
      { accountId: input.accountId, currency: input.currency, kind: "AVAILABLE", amount: input.amount },
    ],
    eventBalanceTransactionId: input.balanceTransactionId,
  };
}

export interface TransferPostingInput {
  readonly ledgerTransactionId: string;
  readonly transferId: string;
  readonly platformId: AccountId;
  readonly destinationAccountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly sourceBalanceTransactionId: BalanceTransactionId;
  readonly destinationBalanceTransactionId: BalanceTransactionId;
  readonly at: Date;
  readonly description?: string | undefined;
}

export function transferPosting(input: TransferPostingInput): Posting {
  const common = {
    type: "TRANSFER",
    currency: input.currency,
    fee: 0n,
    status: "AVAILABLE",
    availableOn: input.at,
    description: input.description,
    sourceId: input.transferId,
  } as const;
  return {
    id: input.ledgerTransactionId,
    kind: "TRANSFER",
    reference: input.transferId,
    entries: [
      { accountId: input.platformId, currency: input.currency, kind: "AVAILABLE", amount: -input.amount },
      { accountId: input.destinationAccountId, currency: input.currency, kind: "AVAILABLE", amount: input.amount },
    ],
    balanceTransactions: [
      { ...common, id: input.sourceBalanceTransactionId, accountId: input.platformId, amount: -input.amount },
      { ...common, id: input.destinationBalanceTransactionId, accountId: input.destinationAccountId, amount: input.amount },
    ],
  };
}
