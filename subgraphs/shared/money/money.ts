// Money is an exact integer of the currency's minor unit, as a bigint. Never a float.

import { currencyInfo, type Currency } from "./currency.ts";

/** NUMERIC(38,0): the widest amount the database stores. */
export const MAX_MINOR_UNITS = 10n ** 38n - 1n;

export interface Money {
  readonly amount: bigint;
  readonly currency: Currency;
}

export type AmountProblem = "NOT_AN_INTEGER" | "NOT_POSITIVE" | "TOO_LARGE";

/**
 * Parses a string of minor units the way every API input must be parsed: digits only (an
 * optional leading minus), no exponent, no decimal point, no whitespace, within NUMERIC(38,0).
 */
export function parseMinorUnits(text: string): bigint | "NOT_AN_INTEGER" | "TOO_LARGE" {
  if (!/^-?\d{1,80}$/.test(text)) return "NOT_AN_INTEGER";
  const value = BigInt(text);
  if (value > MAX_MINOR_UNITS || value < -MAX_MINOR_UNITS) return "TOO_LARGE";
  return value;
}

/** The checked constructor for an amount to move: strictly positive and storable. */
export function positiveMoney(amount: bigint, currency: Currency): Money | AmountProblem {
  if (amount <= 0n) return "NOT_POSITIVE";
  if (amount > MAX_MINOR_UNITS) return "TOO_LARGE";
  return { amount, currency };
}

/** "1050" USD -> "10.50"; "-5" BTC -> "-0.00000005". Exact for any exponent. */
export function formatDecimal(amount: bigint, currency: Currency): string {
  const { decimals } = currencyInfo(currency);
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString();
  if (decimals === 0) return (negative ? "-" : "") + digits;
  const padded = digits.padStart(decimals + 1, "0");
  const whole = padded.slice(0, -decimals);
  const fraction = padded.slice(-decimals);
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/**
 * The largest amount one operation may move: a trillion whole units of the currency
 * (10^14 cents, 10^30 wei). Far above any real payment, and low enough that balances built from
 * such operations stay within NUMERIC(38,0) for a hundred million of them.
 */
export function maxOperationAmount(currency: Currency): bigint {
  return 10n ** BigInt(currencyInfo(currency).decimals + 12);
}

export type OperationAmountProblem = "NOT_POSITIVE" | "TOO_LARGE";

/** The checked constructor for an amount a mutation moves. */
export function operationAmount(amount: bigint, currency: Currency): Money | OperationAmountProblem {
  if (amount <= 0n) return "NOT_POSITIVE";
  if (amount > maxOperationAmount(currency)) return "TOO_LARGE";
  return { amount, currency };
}
