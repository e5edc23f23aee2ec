// Rules for top-ups and transfers: who may receive money, in which currency, how much.

import { currencyInfo, type Currency } from "../../shared/money/currency.ts";
import { isPrintableText } from "../../shared/text.ts";
import { formatDecimal, maxOperationAmount, operationAmount, type Money } from "../../shared/money/money.ts";
import { refuse, type InputRefusal, type Refusal } from "../../shared/refusal.ts";

/** What the balances subgraph needs to know about an account (owned by the accounts subgraph). */
export interface AccountFacts {
  readonly id: string;
  readonly type: "PLATFORM" | "CONNECTED";
  readonly status: "PENDING_VERIFICATION" | "ACTIVE" | "RESTRICTED" | "CLOSED";
  readonly defaultCurrency: string;
}

export function checkAmount(amount: bigint, currency: Currency, argument = "input.amount"): Money | InputRefusal {
  const money = operationAmount(amount, currency);
  if (money === "NOT_POSITIVE") return refuse("BAD_USER_INPUT", "amount must be greater than zero", argument);
  if (money === "TOO_LARGE") {
    return refuse(
      "BAD_USER_INPUT",
      `amount must be at most ${formatDecimal(maxOperationAmount(currency), currency)} ${currency}`,
      argument,
    );
  }
  return money;
}

export const MAX_DESCRIPTION = 500;

export function checkDescription(description: string | null | undefined): string | undefined | InputRefusal {
  if (description === null || description === undefined) return undefined;
  if (description.length > MAX_DESCRIPTION || !isPrintableText(description, { multiline: true })) {
    return refuse("BAD_USER_INPUT", `description must be at most ${MAX_DESCRIPTION} printable characters`, "input.description");
  }
  return description;
}

/** Top-ups bring fiat in from a bank; crypto arrives through wallets. */
export function checkTopup(account: AccountFacts, money: Money): Refusal<"INVALID_STATE" | "BAD_USER_INPUT"> | undefined {
  if (account.status === "CLOSED") return refuse("INVALID_STATE", "The account is closed");
  if (currencyInfo(money.currency).kind !== "fiat") {
    return refuse("BAD_USER_INPUT", "Top-ups are in fiat currencies; crypto arrives through a wallet deposit", "input.currency");
  }
  return undefined;
}

/**
 * A transfer moves a platform's available funds to one of its connected accounts, in the
 * connected account's default currency (transfers never convert).
 */
export function checkTransferDestination(
  destination: AccountFacts,
  money: Money,
): Refusal<"BAD_USER_INPUT" | "INVALID_STATE" | "CURRENCY_MISMATCH"> | undefined {
  if (destination.type !== "CONNECTED") {
    return refuse("BAD_USER_INPUT", "Transfers go to a connected account of the platform", "input.destinationAccountId");
  }
  if (destination.status === "CLOSED") return refuse("INVALID_STATE", "The destination account is closed");
  if (destination.defaultCurrency !== money.currency) {
    return refuse(
      "CURRENCY_MISMATCH",
      `The destination account holds ${destination.defaultCurrency}; this transfer is in ${money.currency}`,
    );
  }
  return undefined;
}
