// Simulated deposits: test mode's stand-in for an on-chain deposit confirming.

import { formatDecimal, maxOperationAmount, operationAmount } from "../../shared/money/money.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { refuse, type Refusal } from "../../shared/refusal.ts";
import type { AccountState } from "./withdrawal.ts";

export function checkDeposit(amount: bigint, asset: Currency, account: AccountState): Refusal | undefined {
  const money = operationAmount(amount, asset);
  if (money === "NOT_POSITIVE") return refuse("BAD_USER_INPUT", "amount must be greater than zero", "amount");
  if (money === "TOO_LARGE")
    return refuse("BAD_USER_INPUT", `amount must be at most ${formatDecimal(maxOperationAmount(asset), asset)} ${asset}`, "amount");
  if (account.status === "CLOSED") return refuse("INVALID_STATE", "The account is closed");
  return undefined;
}
