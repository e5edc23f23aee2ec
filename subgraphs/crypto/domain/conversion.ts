// Pricing a conversion, exactly. The rounding rule (README, "Crypto"):
//   fee         = ceil(sourceAmount * spreadBps / 10000)        in the source currency
//   destination = floor((sourceAmount - fee) * rate)             in the destination currency
// with every amount in minor units and `rate` the exact fraction of whole units. Each amount is
// rounded once, toward the platform, by less than one minor unit of its currency; nothing else
// is ever rounded (bigint throughout, the rate is a fraction, never a float).

import { currencyInfo, type Currency } from "../../shared/money/currency.ts";
import { formatDecimal, maxOperationAmount, operationAmount } from "../../shared/money/money.ts";
import { isCryptoAsset } from "./assets.ts";
import { ceilDiv, floorDiv, type Rational } from "../../shared/money/rational.ts";
import { refuse, type Refusal } from "../../shared/refusal.ts";

export const BPS = 10_000n;
export const MAX_SPREAD_BPS = 5_000;

export interface ConversionTerms {
  readonly sourceCurrency: Currency;
  readonly destinationCurrency: Currency;
  /** What leaves the account, fee included. */
  readonly sourceAmount: bigint;
  /** The platform's spread fee, in the source currency. */
  readonly fee: bigint;
  /** sourceAmount - fee: what is converted. */
  readonly converted: bigint;
  readonly destinationAmount: bigint;
  readonly rate: Rational;
}

export interface ConversionRequest {
  readonly sourceCurrency: Currency;
  readonly destinationCurrency: Currency;
  readonly sourceAmount: bigint;
}

/** Which pairs convert: two different currencies, at least one of them crypto. */
export function checkPair(sourceCurrency: Currency, destinationCurrency: Currency): Refusal | undefined {
  if (sourceCurrency === destinationCurrency) {
    return refuse("BAD_USER_INPUT", "The source and destination currencies must differ", "input.destinationCurrency");
  }
  if (!isCryptoAsset(sourceCurrency) && !isCryptoAsset(destinationCurrency)) {
    return refuse(
      "BAD_USER_INPUT",
      "A crypto quote converts to or from a crypto asset (fiat to fiat is not offered)",
      "input.destinationCurrency",
    );
  }
  return undefined;
}

/** amount (minor units of `from`) * rate, in minor units of `to`, rounded down: floor and remainder check in one place. */
export function convertDown(amount: bigint, rate: Rational, from: Currency, to: Currency): bigint {
  const fromScale = 10n ** BigInt(currencyInfo(from).decimals);
  const toScale = 10n ** BigInt(currencyInfo(to).decimals);
  return floorDiv(amount * rate.num * toScale, rate.den * fromScale);
}

export function spreadFee(sourceAmount: bigint, spreadBps: number): bigint {
  return ceilDiv(sourceAmount * BigInt(spreadBps), BPS);
}

export function priceConversion(request: ConversionRequest, rate: Rational, spreadBps: number): ConversionTerms | Refusal {
  const pair = checkPair(request.sourceCurrency, request.destinationCurrency);
  if (pair) return pair;
  const source = operationAmount(request.sourceAmount, request.sourceCurrency);
  if (source === "NOT_POSITIVE") return refuse("BAD_USER_INPUT", "sourceAmount must be greater than zero", "input.sourceAmount");
  if (source === "TOO_LARGE") {
    const max = formatDecimal(maxOperationAmount(request.sourceCurrency), request.sourceCurrency);
    return refuse("BAD_USER_INPUT", `sourceAmount must be at most ${max} ${request.sourceCurrency}`, "input.sourceAmount");
  }
  if (!Number.isInteger(spreadBps) || spreadBps < 0 || spreadBps > MAX_SPREAD_BPS) throw new RangeError(`spread of ${spreadBps} bps`);
  const fee = spreadFee(request.sourceAmount, spreadBps);
  const converted = request.sourceAmount - fee;
  const destinationAmount = converted > 0n ? convertDown(converted, rate, request.sourceCurrency, request.destinationCurrency) : 0n;
  if (destinationAmount === 0n) {
    return refuse(
      "BAD_USER_INPUT",
      `sourceAmount is too small: after the fee it buys less than one minor unit of ${request.destinationCurrency}`,
      "input.sourceAmount",
    );
  }
  if (destinationAmount > maxOperationAmount(request.destinationCurrency)) {
    return refuse(
      "BAD_USER_INPUT",
      `The conversion would exceed one operation's limit in ${request.destinationCurrency}`,
      "input.sourceAmount",
    );
  }
  return { ...request, fee, converted, destinationAmount, rate };
}

export interface QuoteState {
  readonly id: string;
  readonly conversionId: string | null;
  readonly expiresAt: Date;
}

/** A quote executes once, before it expires (a replay of that execution is idempotency's job). */
export function checkExecutable(quote: QuoteState, now: Date): Refusal | undefined {
  if (quote.conversionId) return refuse("INVALID_STATE", `Quote ${quote.id} was already executed (conversion ${quote.conversionId})`);
  if (now.getTime() >= quote.expiresAt.getTime())
    return refuse("QUOTE_EXPIRED", `Quote ${quote.id} expired at ${quote.expiresAt.toISOString()}; ask for a new one`);
  return undefined;
}

export type QuoteStatus = "OPEN" | "EXECUTED" | "EXPIRED";

export function quoteStatus(quote: QuoteState, now: Date): QuoteStatus {
  if (quote.conversionId) return "EXECUTED";
  return now.getTime() >= quote.expiresAt.getTime() ? "EXPIRED" : "OPEN";
}
