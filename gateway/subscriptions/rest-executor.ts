// Runs the `rest` of a subscription plan for one event, with Apollo's own executor: the plan
// executed is [primary, rest], where the primary fetch is answered by a data source holding the
// event the upstream subscription delivered. Entity fetches to other subgraphs (for example
// `account { displayName }` from accounts) and result shaping are then exactly the gateway's.
//
// Subscribers of one account with the same operation, variables and caller get the same result
// for the same event, so it is computed once and shared: 1,000 subscribers of an account cost one
// entity fetch per event, not 1,000.

import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from "@apollo/gateway";
import type { QueryPlan } from "@apollo/query-planner";
import type { DocumentNode, GraphQLError, GraphQLFormattedError } from "graphql";
import { LRUCache } from "lru-cache";
import type { Principal } from "../../subgraphs/shared/auth/principal.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import type { GatewayContext } from "../data-source.ts";
import type { PlanningSchemas, PreparedSubscription } from "./planner.ts";
import type { UpstreamResult } from "./upstream.ts";

type RequestContext = Parameters<typeof executeQueryPlan>[2];

/** The name under which the event's data source answers the primary fetch. */
const EVENT_SOURCE = "__subscription_event__";

export interface EventRequest {
  readonly prepared: PreparedSubscription;
  readonly source: string;
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly principal: Principal;
}

export type ClientResult = { readonly data?: Record<string, unknown> | null; readonly errors?: readonly GraphQLFormattedError[] };

export interface RestExecutorOptions {
  readonly services: ServiceMap;
  readonly schemas: () => PlanningSchemas;
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  readonly logger: Logger;
}

export class RestExecutor {
  private readonly shared = new LRUCache<string, Promise<ClientResult>>({ max: 10_000, ttl: 30_000 });

  constructor(private readonly options: RestExecutorOptions) {}

  /** The client's result for one upstream event; `eventId` (when known) lets subscribers share it. */
  run(request: EventRequest, event: UpstreamResult, eventId: string | undefined): Promise<ClientResult> {
    if (!eventId) return this.execute(request, event);
    const key = shareKey(request, eventId);
    let result = this.shared.get(key);
    if (!result) {
      result = this.execute(request, event);
      this.shared.set(key, result);
    }
    return result;
  }

  private async execute(request: EventRequest, event: UpstreamResult): Promise<ClientResult> {
    const { prepared } = request;
    const schemas = this.options.schemas();
    // A copy: Apollo's executor merges entity fields into what the data source returns, and one
    // event is shared by every member of a feed.
    const data = event.data ? structuredClone(event.data) : null;
    const eventSource: GraphQLDataSource = {
      process: async () => ({ data, ...(event.errors ? { errors: event.errors } : {}) }),
    };
    const primary = { ...prepared.primary, serviceName: EVENT_SOURCE };
    const plan: QueryPlan = {
      kind: "QueryPlan",
      node: prepared.rest ? { kind: "Sequence", nodes: [primary, prepared.rest] } : primary,
    };
    const context: GatewayContext = { principal: request.principal };
    // What executeQueryPlan reads of Apollo Server's request context; the rest is for tracing.
    const requestContext = {
      request: { query: request.source, variables: { ...request.variables }, operationName: request.operationName },
      document: request.document,
      operationName: request.operationName ?? null,
      context,
      logger: this.options.logger,
      metrics: {},
    } as unknown as RequestContext;
    try {
      const result = await executeQueryPlan(
        plan,
        { ...this.options.services, [EVENT_SOURCE]: eventSource },
        requestContext,
        prepared.operationContext,
        schemas.supergraphSchema,
        schemas.apiSchema,
      );
      return {
        data: (result.data ?? null) as Record<string, unknown> | null,
        ...(result.errors ? { errors: result.errors.map((error) => this.format(error)) } : {}),
      };
    } catch (error) {
      return { data: null, errors: [this.format(error)] };
    }
  }

  private format(error: unknown): GraphQLFormattedError {
    const formatted = (error as Partial<GraphQLError>).toJSON?.() ?? { message: String((error as Error)?.message ?? error) };
    return this.options.formatError(formatted, error);
  }
}

/** What, besides the event, decides a result: per request, computed once (events are many). */
const shareBases = new WeakMap<EventRequest, string>();

function shareKey(request: EventRequest, eventId: string): string {
  let base = shareBases.get(request);
  if (base === undefined) {
    const variables = request.prepared.restVariables.map((name) => [name, request.variables[name]]);
    base = JSON.stringify([request.prepared.key, principalKey(request.principal), variables]);
    shareBases.set(request, base);
  }
  return `${eventId}\u0000${base}`;
}

function principalKey(principal: Principal): string {
  return principal.kind === "platform" ? `${principal.keyId}:${principal.tenantId}:${principal.livemode}` : principal.kind;
}
