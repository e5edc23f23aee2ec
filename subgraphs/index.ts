// The four subgraphs, by name: what the all-in-one process, the schema pipeline and the
// standalone runner iterate over.
import "reflect-metadata";
import type { SubgraphName } from "./shared/config.ts";
import type { SubgraphDefinition } from "./shared/subgraph.ts";
import { accountsSubgraph } from "./accounts/index.ts";
import { balancesSubgraph } from "./balances/index.ts";
import { payoutsSubgraph } from "./payouts/index.ts";
import { cryptoSubgraph } from "./crypto/index.ts";

export const SUBGRAPHS: Readonly<Record<SubgraphName, SubgraphDefinition>> = {
  accounts: accountsSubgraph,
  balances: balancesSubgraph,
  payouts: payoutsSubgraph,
  crypto: cryptoSubgraph,
};
