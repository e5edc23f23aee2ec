// What the gateway refuses before planning: too deep, too many aliases or tokens, too costly.
// GraphQL Armor implements these as validation rules; we choose the bounds.

import { ApolloArmor } from "@escape.tech/graphql-armor";

/** Parser tokens per operation (HTTP through Armor, graphql-ws through graphql's parser). */
export const MAX_TOKENS = 2_000;

export interface Limits {
  readonly maxDepth: number;
}

export function queryLimits(limits: Limits) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: 15 },
    maxDirectives: { n: 20 },
    maxTokens: { n: MAX_TOKENS },
    costLimit: { maxCost: 20_000, ignoreIntrospection: true },
    // Field suggestions leak the schema to whoever probes it without a key.
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
