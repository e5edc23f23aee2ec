// Payout methods, their fees and their limits, pure.
//   STANDARD: free, arrives in a few business days.
//   INSTANT:  1% of the amount (rounded up to a whole minor unit), at least 50 minor units;
//             at most 10,000 whole units of the currency per payout; arrives within minutes.
// The fee is charged on top of the amount: the recipient gets `amount`, the balance pays
// `amount + fee`.

import { currencyInfo, type Currency } from "../../shared/money/currency.ts";
import { formatDecimal, type Money } from "../../shared/money/money.ts";
import { refuse, type InputRefusal } from "../../shared/refusal.ts";

export type PayoutMethod = "STANDARD" | "INSTANT";

export const INSTANT_FEE_BASIS_POINTS = 100n;
export const INSTANT_MINIMUM_FEE = 50n;
export const INSTANT_MAXIMUM_WHOLE_UNITS = 10_000n;

export function instantMaximum(currency: Currency): bigint {
  return INSTANT_MAXIMUM_WHOLE_UNITS * 10n ** BigInt(currencyInfo(currency).decimals);
}

export function payoutFee(method: PayoutMethod, amount: bigint): bigint {
  if (method === "STANDARD") return 0n;
  const percentage = (amount * INSTANT_FEE_BASIS_POINTS + 9_999n) / 10_000n; // rounded up
  return percentage > INSTANT_MINIMUM_FEE ? percentage : INSTANT_MINIMUM_FEE;
}

export function checkMethodLimits(method: PayoutMethod, money: Money): InputRefusal | undefined {
  if (method === "INSTANT" && money.amount > instantMaximum(money.currency)) {
    const max = formatDecimal(instantMaximum(money.currency), money.currency);
    return refuse("BAD_USER_INPUT", `An INSTANT payout is at most ${max} ${money.currency}; use STANDARD for more`, "input.amount");
  }
  return undefined;
}
