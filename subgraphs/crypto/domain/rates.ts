// Where exchange rates come from. Quotes ask a RateSource; the default is a fixed, configurable
// table (no network), so test mode is deterministic. A live price feed would be another
// implementation of the same interface.

import { currencyInfo, type Currency } from "../../shared/money/currency.ts";
import { divide, ONE, type Rational } from "../../shared/money/rational.ts";
import type { RateTable } from "../../shared/money/rate-table.ts";

export { DEFAULT_RATE_TABLE, parseRateTable, type RateTable } from "../../shared/money/rate-table.ts";

export interface RateSource {
  /**
   * Destination units per source unit (whole units: dollars, bitcoins), exact; undefined when
   * the source cannot price the pair.
   */
  rate(source: Currency, destination: Currency): Rational | undefined;
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
