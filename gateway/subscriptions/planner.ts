// Plans subscription operations. @apollo/gateway refuses to execute them, but its planner plans
// them: a SubscriptionNode with the `primary` fetch (the subgraph that owns the subscription
// field, run over graphql-ws) and the `rest` (entity fetches to other subgraphs, run per event).
// Built from the same supergraph as the gateway, rebuilt when it changes.

import { buildOperationContext, type executeQueryPlan } from "@apollo/gateway";
import { operationFromDocument, Supergraph, type Schema } from "@apollo/federation-internals";
import { QueryPlanner, type FetchNode, type PlanNode } from "@apollo/query-planner";
import type { DocumentNode, GraphQLSchema } from "graphql";
import { LRUCache } from "lru-cache";
import { resumablePrimary, type ResumablePrimary } from "./resume.ts";

type OperationContext = Parameters<typeof executeQueryPlan>[3];

export interface PreparedSubscription {
  /** Identifies the operation (its text and name) for caches. */
  readonly key: string;
  readonly primary: FetchNode;
  readonly rest: PlanNode | undefined;
  /** Variables the `rest` fetches use: the only ones that can change an event's result. */
  readonly restVariables: readonly string[];
  /** How to resume after losing the upstream; undefined when the field is not resumable. */
  readonly resume: ResumablePrimary | undefined;
  readonly operationContext: OperationContext;
}

export interface PlanningSchemas {
  /** The client-facing schema (strict scalars applied): validation and result shaping. */
  readonly api: GraphQLSchema;
  readonly apiSchema: Schema;
  readonly supergraphSchema: GraphQLSchema;
}

export class SubscriptionPlanner {
  private state: { schemas: PlanningSchemas; planner: QueryPlanner } | undefined;
  private readonly plans = new LRUCache<string, PreparedSubscription>({ max: 2_000 });

  /** Called with the gateway's schema on load and on every supergraph update. */
  update(api: GraphQLSchema, supergraphSdl: string): void {
    const supergraph = Supergraph.build(supergraphSdl);
    this.state = {
      schemas: { api, apiSchema: supergraph.apiSchema(), supergraphSchema: supergraph.schema.toGraphQLJSSchema() },
      planner: new QueryPlanner(supergraph),
    };
    this.plans.clear();
  }

  get schemas(): PlanningSchemas {
    return this.loaded().schemas;
  }

  private loaded() {
    if (!this.state) throw new Error("the supergraph is not loaded yet");
    return this.state;
  }

  /** Plans a validated subscription document; cached by its text and operation name. */
  prepare(source: string, document: DocumentNode, operationName: string | undefined): PreparedSubscription {
    const key = `${operationName ?? ""}\u0000${source}`;
    let prepared = this.plans.get(key);
    if (prepared) return prepared;
    const { schemas, planner } = this.loaded();
    const operation = operationFromDocument(schemas.apiSchema, document, operationName ? { operationName } : {});
    const node = planner.buildQueryPlan(operation).node;
    if (node?.kind !== "Subscription") throw new Error("not a subscription plan");
    prepared = {
      key,
      primary: node.primary,
      rest: node.rest,
      restVariables: node.rest ? [...variablesOf(node.rest)] : [],
      resume: resumablePrimary(node.primary.operation),
      operationContext: buildOperationContext({ schema: schemas.api, operationDocument: document, ...(operationName ? { operationName } : {}) }),
    };
    this.plans.set(key, prepared);
    return prepared;
  }
}

function variablesOf(node: PlanNode, into = new Set<string>()): Set<string> {
  switch (node.kind) {
    case "Fetch":
      for (const name of node.variableUsages ?? []) into.add(name);
      break;
    case "Flatten":
      variablesOf(node.node, into);
      break;
    case "Sequence":
    case "Parallel":
      for (const child of node.nodes) variablesOf(child, into);
      break;
    case "Condition":
      // The condition's own variable decides which branch runs.
      into.add(node.condition);
      if (node.ifClause) variablesOf(node.ifClause, into);
      if (node.elseClause) variablesOf(node.elseClause, into);
      break;
    case "Defer":
      if (node.primary.node) variablesOf(node.primary.node, into);
      for (const deferred of node.deferred) if (deferred.node) variablesOf(deferred.node, into);
      break;
  }
  return into;
}
