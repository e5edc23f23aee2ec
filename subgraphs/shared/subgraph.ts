// The one way a subgraph is built: type-graphql classes -> SDL with federation directives ->
// @apollo/subgraph. Every subgraph module exports a SubgraphDefinition and nothing else knows
// how it is made.

import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { parse, type GraphQLSchema } from "graphql";
import { buildSchema, createResolversMap, type NonEmptyArray, type PubSub } from "type-graphql";
import type { SubgraphName } from "./config.ts";
import type { SubgraphContext } from "./context.ts";

export type ReferenceResolver<R = { id: string }> = (reference: R, context: SubgraphContext) => unknown;

export interface SubgraphDefinition {
  readonly name: SubgraphName;
  // type-graphql identifies resolvers and types by their classes.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly orphanedTypes?: Function[];
  /** `__resolveReference` per entity type name: how `_entities` finds this subgraph's part. */
  readonly references?: Readonly<Record<string, ReferenceResolver>>;
}

/**
 * type-graphql insists on a PubSub once any @Subscription exists, even when each brings its own
 * `subscribe` (ours do: events come from the database, not from in-process topics). This one
 * makes an accidental topic-based subscription fail loudly instead of never firing.
 */
const noTopics: PubSub = {
  publish() {
    throw new Error("topic-based subscriptions are not used: give @Subscription a `subscribe`");
  },
  subscribe() {
    throw new Error("topic-based subscriptions are not used: give @Subscription a `subscribe`");
  },
};

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible"])`;

export async function buildSubgraph(definition: SubgraphDefinition): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: definition.resolvers,
    orphanedTypes: definition.orphanedTypes ?? [],
    // Validation lives in the domain's checked constructors, not in class-validator.
    validate: false,
    skipCheck: true,
    pubSub: noTopics,
  });
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<SubgraphContext>;
  for (const [typeName, resolve] of Object.entries(definition.references ?? {})) {
    const typeResolvers = (resolvers[typeName] ??= {}) as Record<string, unknown>;
    typeResolvers["__resolveReference"] = resolve;
  }
  return buildSubgraphSchema([{ typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`), resolvers }]);
}
