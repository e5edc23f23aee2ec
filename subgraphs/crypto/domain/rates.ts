// Where exchange rates come from. Quotes ask a RateSource; the default is a fixed, configurable
// table (no network), so test mode is deterministic. A live price feed would be another
// implementation of the same interface.

import { currencyInfo, parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { divide, ONE, parseDecimal, type Rational } from "./rational.ts";

export interface RateSource {
  /**
   * Destination units per source unit (whole units: dollars, bitcoins), exact; undefined when
   * the source cannot price the pair.
   */
  rate(source: Currency, destination: Currency): Rational | undefined;
}

/**
 * The table's convention, as API.md states the test-mode values: a crypto asset is priced in
 * USD per unit ("BTC:50000.00"); a fiat currency is given in units per USD ("EUR:0.92"). USD is
 * 1 and needs no entry.
 */
export const DEFAULT_RATE_TABLE = "BTC:50000.00,ETH:2500.00,USDC:1.00,EUR:0.92";

export type RateTable = ReadonlyMap<Currency, Rational>;

/** Parses "CODE:decimal,…"; returns the problem in words when the text is not a valid table. */
export function parseRateTable(text: string): RateTable | string {
  const table = new Map<Currency, Rational>();
  for (const item of text.split(",").map((part) => part.trim()).filter((part) => part.length > 0)) {
    const [code, value, extra] = item.split(":");
    const currency = parseCurrency(code ?? "");
    if (!currency || extra !== undefined) return `"${item}" is not CODE:decimal with a supported currency code`;
    if (currency === "USD") return "USD is the table's unit (always 1): leave it out";
    if (table.has(currency)) return `${currency} appears twice`;
    const rate = parseDecimal(value ?? "");
    if (!rate || rate.num === 0n) return `${currency}: "${value}" is not a positive decimal (at most 15 digits on each side of the point)`;
    table.set(currency, rate);
  }
  if (![...table.keys()].some((currency) => currencyInfo(currency).kind === "crypto")) return "the table prices no crypto asset";
  return table;
}

/** The value of one unit of `currency` in USD, by the table's convention. */
function usdValue(table: RateTable, currency: Currency): Rational | undefined {
  if (currency === "USD") return ONE;
  const entry = table.get(currency);
  if (!entry) return undefined;
  return currencyInfo(currency).kind === "crypto" ? entry : divide(ONE, entry);
}

/**
 * Cross rates through USD: rate(a, b) = usd(a) / usd(b), exactly. So rate(a, b) * rate(b, a) = 1:
 * a round trip at table rates gives back exactly what went in, before rounding and fees.
 */
export function tableRateSource(table: RateTable): RateSource {
  return {
    rate(source, destination) {
      const from = usdValue(table, source);
      const to = usdValue(table, destination);
      if (!from || !to) return undefined;
      return divide(from, to);
    },
  };
}
