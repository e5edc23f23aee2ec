// The exchange rate table of the configuration (CRYPTO_RATES), parsed into exact fractions at
// start-up so that a bad table stops the process. The crypto subgraph prices quotes from it
// (subgraphs/crypto/domain/rates.ts).

import { currencyInfo, parseCurrency, type Currency } from "./currency.ts";
import { parseDecimal, type Rational } from "./rational.ts";

/**
 * The table's convention (docs/crypto.md, `CRYPTO_RATES` in docs/configuration.md): a crypto asset is priced in
 * USD per unit ("BTC:50000.00"); a fiat currency is given in units per USD ("EUR:0.92"). USD is
 * 1 and needs no entry.
 */
export const DEFAULT_RATE_TABLE = "BTC:50000.00,ETH:2500.00,USDC:1.00,EUR:0.92";

export type RateTable = ReadonlyMap<Currency, Rational>;

/** Parses "CODE:decimal,…"; returns the problem in words when the text is not a valid table. */
export function parseRateTable(text: string): RateTable | string {
  const table = new Map<Currency, Rational>();
  for (const item of text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)) {
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
