// Rules for top-ups and transfers: who may receive money, in which currency, how much.

import { currencyInfo, type Currency } from "../../shared/money/currency.ts";
import { isPrintableText } from "../../shared/text.ts";
import { formatDecimal, maxOperationAmount, operationAmount, type Money } from "../../shared/money/money.ts";

/** What the balances subgraph needs to know about an account (owned by the accounts subgraph). */
export interface AccountFacts {
  readonly id: string;
  readonly type: "PLATFORM" | "CONNECTED";
  readonly status: "PENDING_VERIFICATION" | "ACTIVE" | "RESTRICTED" | "CLOSED";
  readonly defaultCurrency: string;
}

export type MovementRefusal =
  | { readonly code: "BAD_USER_INPUT"; readonly message: string; readonly argument: string }
  | { readonly code: "INVALID_STATE"; readonly message: string }
  | { readonly code: "CURRENCY_MISMATCH"; readonly message: string };

export function checkAmount(amount: bigint, currency: Currency, argument = "input.amount"): Money | MovementRefusal {
  const money = operationAmount(amount, currency);
  if (money === "NOT_POSITIVE") return { code: "BAD_USER_INPUT", message: "amount must be greater than zero", argument };
  if (money === "TOO_LARGE") {
    return {
      code: "BAD_USER_INPUT",
      message: `amount must be at most ${formatDecimal(maxOperationAmount(currency), currency)} ${currency}`,
      argument,
    };
  }
  return money;
}

export const MAX_DESCRIPTION = 500;

export function checkDescription(description: string | null | undefined): string | undefined | MovementRefusal {
  if (description === null || description === undefined) return undefined;
  if (description.length > MAX_DESCRIPTION || !isPrintableText(description, { multiline: true })) {
    return { code: "BAD_USER_INPUT", message: `description must be at most ${MAX_DESCRIPTION} printable characters`, argument: "input.description" };
  }
  return description;
}

/** Top-ups bring fiat in from a bank; crypto arrives through wallets. */
export function checkTopup(account: AccountFacts, money: Money): MovementRefusal | undefined {
  if (account.status === "CLOSED") return { code: "INVALID_STATE", message: "The account is closed" };
  if (currencyInfo(money.currency).kind !== "fiat") {
    return { code: "BAD_USER_INPUT", message: "Top-ups are in fiat currencies; crypto arrives through a wallet deposit", argument: "input.currency" };
  }
  return undefined;
}

/**
 * A transfer moves a platform's available funds to one of its connected accounts, in the
 * connected account's default currency (transfers never convert).
 */
export function checkTransferDestination(destination: AccountFacts, money: Money): MovementRefusal | undefined {
  if (destination.type !== "CONNECTED") {
    return { code: "BAD_USER_INPUT", message: "Transfers go to a connected account of the platform", argument: "input.destinationAccountId" };
  }
  if (destination.status === "CLOSED") return { code: "INVALID_STATE", message: "The destination account is closed" };
  if (destination.defaultCurrency !== money.currency) {
    return {
      code: "CURRENCY_MISMATCH",
      message: `The destination account holds ${destination.defaultCurrency}; this transfer is in ${money.currency}`,
    };
  }
  return undefined;
}
