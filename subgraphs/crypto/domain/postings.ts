// The ledger postings behind crypto operations. Ledger accounts: the account's AVAILABLE balance
// in each currency is its wallet balance; the platform (tenant) owns the counterparties:
// CRYPTO_CLEARING per currency (the conversion desk), CRYPTO_NETWORK per asset (the chain) and
// FEES per currency (revenue). Every posting sums to zero in each currency.

import type { Currency } from "../../shared/money/currency.ts";
import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import type { BalanceTransactionSpec, Posting } from "../../ledger/api.ts";
import type { ConversionTerms } from "./conversion.ts";

export interface ConversionPostingInput {
  readonly ledgerTransactionId: string;
  readonly conversionId: string;
  readonly platformId: AccountId;
  readonly accountId: AccountId;
  readonly terms: ConversionTerms;
  readonly sourceBalanceTransactionId: BalanceTransactionId;
  readonly destinationBalanceTransactionId: BalanceTransactionId;
  readonly at: Date;
}

/**
 * source AVAILABLE -sourceAmount, CRYPTO_CLEARING(source) +converted, FEES(source) +fee;
 * CRYPTO_CLEARING(destination) -destinationAmount, destination AVAILABLE +destinationAmount.
 * Balance transactions: net is what the balance moved (source: amount -converted, fee, net
 * -sourceAmount; destination: +destinationAmount).
 */
export function conversionPosting(input: ConversionPostingInput): Posting {
  const { terms, platformId, accountId } = input;
  const source = terms.sourceCurrency;
  const destination = terms.destinationCurrency;
  const description = `Conversion ${source} to ${destination}`;
  const common = {
    type: "CRYPTO_CONVERSION",
    status: "AVAILABLE",
    availableOn: input.at,
    description,
    sourceId: input.conversionId,
  } as const;
  return {
    id: input.ledgerTransactionId,
    kind: "CRYPTO_CONVERSION",
    reference: input.conversionId,
    entries: [
      { accountId, currency: source, kind: "AVAILABLE", amount: -terms.sourceAmount },
      { accountId: platformId, currency: source, kind: "CRYPTO_CLEARING", amount: terms.converted },
      ...(terms.fee > 0n ? [{ accountId: platformId, currency: source, kind: "FEES" as const, amount: terms.fee }] : []),
      { accountId: platformId, currency: destination, kind: "CRYPTO_CLEARING", amount: -terms.destinationAmount },
      { accountId, currency: destination, kind: "AVAILABLE", amount: terms.destinationAmount },
    ],
    balanceTransactions: [
      { ...common, id: input.sourceBalanceTransactionId, accountId, currency: source, amount: -terms.converted, fee: terms.fee },
      { ...common, id: input.destinationBalanceTransactionId, accountId, currency: destination, amount: terms.destinationAmount, fee: 0n },
    ],
  };
}

export interface WithdrawalPostingInput {
  readonly ledgerTransactionId: string;
  readonly withdrawalId: string;
  readonly platformId: AccountId;
  readonly accountId: AccountId;
  readonly asset: Currency;
  readonly amount: bigint;
  readonly networkFee: bigint;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly at: Date;
}

/** AVAILABLE -(amount + fee); CRYPTO_NETWORK +amount, FEES +fee. */
export function withdrawalPosting(input: WithdrawalPostingInput): Posting {
  const { platformId, accountId, asset } = input;
  return {
    id: input.ledgerTransactionId,
    kind: "CRYPTO_WITHDRAWAL",
    reference: input.withdrawalId,
    entries: [
      { accountId, currency: asset, kind: "AVAILABLE", amount: -(input.amount + input.networkFee) },
      { accountId: platformId, currency: asset, kind: "CRYPTO_NETWORK", amount: input.amount },
      ...(input.networkFee > 0n ? [{ accountId: platformId, currency: asset, kind: "FEES" as const, amount: input.networkFee }] : []),
    ],
    balanceTransactions: [
      {
        id: input.balanceTransactionId,
        accountId,
        type: "CRYPTO_WITHDRAWAL",
        currency: asset,
        amount: -input.amount,
        fee: input.networkFee,
        status: "AVAILABLE",
        availableOn: input.at,
        description: "Crypto withdrawal",
        sourceId: input.withdrawalId,
      },
    ],
  };
}

/**
 * A failed withdrawal: the creation's entries reversed (reversesId points at it), so the
 * amount and the network fee return to the balance, with its own balance transaction.
 */
export function withdrawalFailurePosting(
  original: WithdrawalPostingInput,
  ledgerTransactionId: string,
  balanceTransactionId: BalanceTransactionId,
  at: Date,
): Posting {
  const created = withdrawalPosting(original);
  const restored = original.amount + original.networkFee;
  const failure: BalanceTransactionSpec = {
    id: balanceTransactionId,
    accountId: original.accountId,
    type: "CRYPTO_WITHDRAWAL_FAILURE",
    currency: original.asset,
    amount: restored,
    fee: 0n,
    status: "AVAILABLE",
    availableOn: at,
    description: "Crypto withdrawal failed: amount and network fee returned",
    sourceId: original.withdrawalId,
  };
  return {
    id: ledgerTransactionId,
    kind: "CRYPTO_WITHDRAWAL_FAILURE",
    reference: original.withdrawalId,
    reversesId: created.id,
    entries: created.entries.map((entry) => ({ ...entry, amount: -entry.amount })),
    balanceTransactions: [failure],
  };
}

export interface DepositPostingInput {
  readonly ledgerTransactionId: string;
  readonly depositId: string;
  readonly platformId: AccountId;
  readonly accountId: AccountId;
  readonly asset: Currency;
  readonly amount: bigint;
  readonly balanceTransactionId: BalanceTransactionId;
  readonly at: Date;
}

/** CRYPTO_NETWORK -amount, AVAILABLE +amount. */
export function depositPosting(input: DepositPostingInput): Posting {
  return {
    id: input.ledgerTransactionId,
    kind: "CRYPTO_DEPOSIT",
    reference: input.depositId,
    entries: [
      { accountId: input.platformId, currency: input.asset, kind: "CRYPTO_NETWORK", amount: -input.amount },
      { accountId: input.accountId, currency: input.asset, kind: "AVAILABLE", amount: input.amount },
    ],
    balanceTransactions: [
      {
        id: input.balanceTransactionId,
        accountId: input.accountId,
        type: "CRYPTO_DEPOSIT",
        currency: input.asset,
        amount: input.amount,
        fee: 0n,
        status: "AVAILABLE",
        availableOn: input.at,
        description: "Crypto deposit",
        sourceId: input.depositId,
      },
    ],
  };
}
