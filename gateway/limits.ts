// What the gateway refuses before planning: too deep, too many aliases or tokens, too costly.
// GraphQL Armor implements most of these as validation rules; we choose the bounds.

import { ApolloArmor } from "@escape.tech/graphql-armor";

/** Parser tokens per operation (HTTP and graphql-ws, both through graphql's own parser). */
export const MAX_TOKENS = 2_000;

/**
 * For Apollo Server's parser. The token limit lives in the parser itself rather than in Armor's
 * plugin: Armor's throws from a plugin hook, which Apollo answers as an internal error (500),
 * while the parser's own limit is a syntax error (400), like any other unparsable document.
 */
export const PARSE_OPTIONS = { maxTokens: MAX_TOKENS } as const;

export interface Limits {
  readonly maxDepth: number;
}

export function queryLimits(limits: Limits) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: 15 },
    maxDirectives: { n: 20 },
    maxTokens: { enabled: false },
    costLimit: { maxCost: 20_000, ignoreIntrospection: true },
    // Suggestions (field and enum value alike) are removed from every message by formatError.
    blockFieldSuggestion: { enabled: false },
  }).protect();
}
