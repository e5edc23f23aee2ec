// The rate source the crypto use cases price with: the configured table (CRYPTO_RATES).

import type { Config } from "../../shared/config.ts";
import { tableRateSource, type RateSource } from "../domain/rates.ts";

const sources = new WeakMap<object, RateSource>();

export function rateSourceOf(config: Pick<Config, "CRYPTO_RATES">): RateSource {
  let source = sources.get(config.CRYPTO_RATES);
  if (!source) {
    source = tableRateSource(config.CRYPTO_RATES);
    sources.set(config.CRYPTO_RATES, source);
  }
  return source;
}
