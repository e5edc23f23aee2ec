// What the gateway refuses before planning: too deep, too many aliases or tokens, too costly,
// field suggestions. GraphQL Armor implements these as envelop plugins; we choose the bounds.

import { EnvelopArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, type ValidationContext } from "graphql";

/** Parser tokens per operation (graphql's own parser limit: a syntax error, see useTypedRequestErrors). */
export const MAX_TOKENS = 2_000;

export interface Limits {
  readonly maxDepth: number;
}

// Reported as validation errors (typed by useTypedRequestErrors) instead of thrown mid-validation,
// which the runtime would answer as an internal error.
const report = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/** GraphQL Armor's plugins, listed (not nested) so that plugins after them see what they report. */
export function queryLimitPlugins(limits: Limits) {
  return new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...report },
    maxAliases: { n: 15, ...report },
    maxDirectives: { n: 20, ...report },
    maxTokens: { enabled: false },
    costLimit: { maxCost: 20_000, ignoreIntrospection: true, ...report },
    // Suggestions (field and enum value alike) are removed from every message by formatError.
    blockFieldSuggestion: { enabled: false },
  }).protect().plugins;
}
