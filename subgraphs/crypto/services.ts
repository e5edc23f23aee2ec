// The crypto subgraph's long-lived parts: the rate source quotes are priced from (the
// CRYPTO_RATES table). Built by createDependencies (subgraphs/dependencies.ts).

import type { CoreDependencies } from "../shared/context.ts";
import { tableRateSource, type RateSource } from "./domain/rates.ts";

declare module "../shared/context.ts" {
  interface ModuleServices {
    readonly crypto: CryptoServices;
  }
}

export interface CryptoServices {
  readonly rates: RateSource;
}

export function createCryptoServices(deps: Pick<CoreDependencies, "config">): CryptoServices {
  return { rates: tableRateSource(deps.config.CRYPTO_RATES) };
}
