// The gateway's metrics (docs/operate/metrics.md), served with the process's own at GET /metrics
// on the gateway's port, as Hive Gateway serves them. Hive Gateway's Prometheus plugin
// (@graphql-mesh/plugin-prometheus over @graphql-yoga/plugin-prometheus) measures HTTP requests,
// operations, errors by phase and each subgraph's fetches and executions; our counters add what
// only our plugins know: operations by outcome, HTTP answers by status (the plugin sees only
// requests that got as far as a parsed operation), errors by their typed code, refused keys and
// rate limits, graphql-ws sockets, subscriptions and the events they deliver.
//
// Cheap on the request path (the federation benchmark holds us to Hive Gateway's pace): the
// plugin's metrics that cost a walk of every document or a quantile summary per request are off
// (deprecated fields, the request-time summary, per-phase timings); counters are incremented in
// place, from hooks shared by every request; gauges are read when scraped.
//
// One registry per gateway, not the process's: the plugin clears its registry when the runtime
// is disposed, and a process may hold several gateways (the tests do) beside its subgraphs.
// Labels carry no tenant, key or account; operation names are bounded (operation-names.ts);
// subgraphs are named by the supergraph, not by their URLs.

import usePrometheus, { createCounter, createHistogram } from "@graphql-mesh/plugin-prometheus";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { Logger as HiveLogger } from "@graphql-hive/logger";
import { getOperationAST, type ExecutionResult } from "graphql";
import { Counter, Gauge, Registry } from "prom-client";
import { exposition, METRICS_CONTENT_TYPE, METRICS_PATH, processRegistry } from "../subgraphs/shared/metrics.ts";
import { isErrorCode } from "../subgraphs/shared/errors.ts";
import { OperationNames, OTHER } from "./operation-names.ts";

export type Transport = "http" | "ws";
/** Why a caller's key was not accepted. */
export type AuthFailure = "missing_key" | "invalid_key";
/** Which limit refused a request or connection. */
export type Limit = "requests" | "auth_failures" | "connections" | "operations_per_connection";

export interface SocketReadings {
  readonly connections: number;
  readonly subscriptions: number;
  readonly upstreams: number;
}

export interface GatewayMetricsOptions {
  readonly graphqlEndpoint: string;
  /** Each subgraph's URL, by name: the fetch histogram names the subgraph, never the URL. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly log: HiveLogger;
}

const LABELS = Symbol("moneygraph.operationLabels");

interface Labelled {
  [LABELS]?: { readonly operation: string; readonly type: string };
}

function outcomeOf(result: ExecutionResult): "ok" | "partial" | "error" {
  if (!result.errors?.length) return "ok";
  return result.data ? "partial" : "error";
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return !!value && typeof value === "object" && Symbol.asyncIterator in value;
}

/** The path of a Node request (its URL as sent: path and query), without parsing a URL. */
function pathOf(rawUrl: string | undefined): string | undefined {
  if (rawUrl === undefined) return undefined;
  const query = rawUrl.indexOf("?");
  return query === -1 ? rawUrl : rawUrl.slice(0, query);
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly names = new OperationNames();
  private readonly http: Counter<"status">;
  private readonly byStatus = new Map<number, { inc(): void }>();
  private readonly operations: Counter<"operation" | "type" | "outcome">;
  private readonly errors: Counter<"code">;
  private readonly authFailures: Counter<"transport" | "reason">;
  private readonly limits: Counter<"transport" | "limit">;
  private readonly events: Counter;
  private sockets: () => SocketReadings = () => ({ connections: 0, subscriptions: 0, upstreams: 0 });

  constructor(private readonly options: GatewayMetricsOptions) {
    const registers = [this.registry];
    this.http = new Counter({
      name: "moneygraph_gateway_http_requests_total",
      help: "HTTP requests to the GraphQL endpoint, by the status of the answer (refusals before any GraphQL included)",
      labelNames: ["status"],
      registers,
    });
    this.operations = new Counter({
      name: "moneygraph_gateway_operations_total",
      help: "GraphQL operations that passed validation and started, over HTTP and graphql-ws, by name, type and outcome (ok, partial: data and errors, error: no data)",
      labelNames: ["operation", "type", "outcome"],
      registers,
    });
    this.errors = new Counter({
      name: "moneygraph_gateway_errors_total",
      help: "Errors in the answers the gateway sent (HTTP and graphql-ws; refusals at the edge included: a wrong key, a rate limit, a malformed body), by extensions.code",
      labelNames: ["code"],
      registers,
    });
    this.authFailures = new Counter({
      name: "moneygraph_gateway_auth_failures_total",
      help: "Requests and graphql-ws connections refused for their API key, by transport and reason (missing_key, invalid_key: wrong, revoked, expired or malformed)",
      labelNames: ["transport", "reason"],
      registers,
    });
    this.limits = new Counter({
      name: "moneygraph_gateway_rate_limited_total",
      help: "Requests, operations and connections refused by a limit, by transport and limit (requests: RATE_LIMIT_PER_SECOND; auth_failures: AUTH_FAILURES_PER_MINUTE; connections: MAX_CONNECTIONS_PER_KEY; operations_per_connection: MAX_SUBSCRIPTIONS_PER_CONNECTION)",
      labelNames: ["transport", "limit"],
      registers,
    });
    this.events = new Counter({
      name: "moneygraph_gateway_subscription_events_total",
      help: "Subscription events delivered to graphql-ws clients (one per client and event)",
      registers,
    });
    const sockets = () => this.sockets();
    new Gauge({
      name: "moneygraph_gateway_websocket_connections",
      help: "Open graphql-ws connections (admitted by their key)",
      registers,
      collect() {
        this.set(sockets().connections);
      },
    });
    new Gauge({
      name: "moneygraph_gateway_subscriptions",
      help: "Open client subscriptions over graphql-ws",
      registers,
      collect() {
        this.set(sockets().subscriptions);
      },
    });
    new Gauge({
      name: "moneygraph_gateway_upstream_subscriptions",
      help: "Subscriptions the gateway holds open to subgraphs (identical client subscriptions share one)",
      registers,
      collect() {
        this.set(sockets().upstreams);
      },
    });
  }

  /** Where the socket gauges read from (the graphql-ws server starts after the runtime). */
  readSockets(read: () => SocketReadings): void {
    this.sockets = read;
  }

  authFailure(transport: Transport, reason: AuthFailure): void {
    this.authFailures.inc({ transport, reason });
  }

  rateLimited(transport: Transport, limit: Limit): void {
    this.limits.inc({ transport, limit });
  }

  /** An error as the client receives it (the one error formatter, once per error; the edge's refusals). */
  error(code: unknown): void {
    this.errors.inc({ code: typeof code === "string" && isErrorCode(code) ? code : "INTERNAL_SERVER_ERROR" });
  }

  subscriptionEvent(): void {
    this.events.inc();
  }

  /** The runtime's plugins, first in the list: they must see every operation, refused ones too. */
  plugins(): GatewayPlugin[] {
    return [this.endpoint(), this.prometheus(), this.counting()];
  }

  /** GET /metrics: the gateway's registry and the process's (the subgraphs', in one process). */
  private endpoint(): GatewayPlugin {
    const registries = [this.registry, processRegistry];
    return {
      onRequest({ url, request, endResponse }) {
        if (url.pathname !== METRICS_PATH) return;
        if (request.method !== "GET" && request.method !== "HEAD") {
          return endResponse(
            new Response("Method Not Allowed: GET /metrics\n", {
              status: 405,
              headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
            }),
          );
        }
        return exposition(registries).then((text) =>
          endResponse(
            new Response(request.method === "HEAD" ? null : text, { status: 200, headers: { "content-type": METRICS_CONTENT_TYPE } }),
          ),
        );
      },
    };
  }

  private prometheus(): GatewayPlugin {
    const { registry, names } = this;
    const subgraphByUrl = new Map(Object.entries(this.options.subgraphUrls).map(([name, url]) => [url, name]));
    const operationLabels = (params: { operationName?: string | undefined; operationType?: string | undefined }) => ({
      operationName: names.label(params.operationName),
      operationType: params.operationType ?? "unknown",
    });
    const subgraphLabels = ({
      subgraphName,
      executionRequest,
    }: {
      subgraphName: string;
      executionRequest: { operationType?: string };
    }) => ({
      subgraphName,
      operationType: executionRequest.operationType ?? "query",
    });
    const plugin = usePrometheus({
      log: this.options.log,
      registry,
      // Served by endpoint(), with the process's registry.
      endpoint: false,
      metrics: {
        // moneygraph_gateway_operations_total counts operations, with their outcome.
        graphql_envelop_request: false,
        graphql_envelop_request_duration: createHistogram({
          registry,
          histogram: {
            name: "graphql_envelop_request_duration",
            help: "Time spent on running the GraphQL operation from parse to execute",
            labelNames: ["operationName", "operationType"],
          },
          fillLabelsFn: operationLabels,
        }),
        graphql_envelop_error_result: createCounter({
          registry,
          counter: {
            name: "graphql_envelop_error_result",
            help: "Counts the amount of errors reported from all phases",
            labelNames: ["operationName", "operationType", "phase"],
          },
          // No `path`: list indexes would make a series per position.
          fillLabelsFn: (params) => ({ ...operationLabels(params), phase: params.errorPhase ?? "execute" }),
        }),
        graphql_yoga_http_duration: createHistogram({
          registry,
          histogram: {
            name: "graphql_yoga_http_duration",
            help: "Time spent on HTTP connection",
            labelNames: ["method", "statusCode", "operationName", "operationType"],
          },
          // No `url`: it holds the query string (a GET's whole operation and variables).
          fillLabelsFn: (params, { request, response }: { request: Request; response: Response }) => ({
            method: request.method === "GET" ? "GET" : "POST",
            statusCode: response.status,
            ...operationLabels(params),
          }),
        }),
        graphql_gateway_fetch_duration: createHistogram({
          registry,
          histogram: {
            name: "graphql_gateway_fetch_duration",
            help: "Time spent on outgoing HTTP calls",
            labelNames: ["subgraphName", "method", "statusCode"],
          },
          fillLabelsFn: ({ url, options, response }: { url: string; options: { method?: string }; response: Response }) => ({
            subgraphName: subgraphByUrl.get(url) ?? OTHER,
            method: options.method === "GET" ? "GET" : "POST",
            statusCode: response.status,
          }),
        }),
        graphql_gateway_subgraph_execute_duration: createHistogram({
          registry,
          histogram: {
            name: "graphql_gateway_subgraph_execute_duration",
            help: "Time spent on subgraph execution",
            labelNames: ["subgraphName", "operationType"],
          },
          fillLabelsFn: subgraphLabels,
        }),
        graphql_gateway_subgraph_execute_errors: createCounter({
          registry,
          counter: {
            name: "graphql_gateway_subgraph_execute_errors",
            help: "Number of errors on subgraph execution",
            labelNames: ["subgraphName", "operationType"],
          },
          fillLabelsFn: subgraphLabels,
        }),
        graphql_envelop_schema_change: true,
        // Off: each walks every document, keeps a quantile summary or times a phase the
        // parse and validation caches already make cheap, on every request.
        graphql_envelop_deprecated_field: false,
        graphql_envelop_request_time_summary: false,
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_phase_execute: false,
        graphql_envelop_phase_subscribe: false,
        graphql_envelop_execute_resolver: false,
      },
    });
    // Its `instrumentation.request` parses every request's URL and then does nothing with it (an
    // empty `if` in 2.2.3); left in, the runtime would also wrap every request in it. The
    // plugin's hooks are the rest of the object.
    const { instrumentation: _nothing, ...hooks } = plugin;
    return hooks as GatewayPlugin;
  }

  /** Operations by name, type and outcome; HTTP answers by status. Hooks shared by every request. */
  private counting(): GatewayPlugin {
    const { names, operations, graphqlEndpoint } = {
      names: this.names,
      operations: this.operations,
      graphqlEndpoint: this.options.graphqlEndpoint,
    };
    const label = (args: {
      document: Parameters<typeof getOperationAST>[0];
      operationName?: string | null | undefined;
      contextValue: unknown;
    }) => {
      const context = args.contextValue as Labelled & { principal?: unknown };
      const operation = getOperationAST(args.document, args.operationName);
      const labels = { operation: names.admit(operation?.name?.value, !!context.principal), type: operation?.operation ?? "unknown" };
      context[LABELS] = labels;
    };
    const count = (contextValue: unknown, outcome: string) => {
      const labels = (contextValue as Labelled)[LABELS];
      if (labels) operations.inc({ operation: labels.operation, type: labels.type, outcome });
    };
    const executeDone = {
      onExecuteDone({ args, result }: { args: { contextValue: unknown }; result: unknown }) {
        count(args.contextValue, isAsyncIterable(result) ? "ok" : outcomeOf(result as ExecutionResult));
      },
    };
    const subscribeResult = {
      onSubscribeResult({ args, result }: { args: { contextValue: unknown }; result: unknown }) {
        count(args.contextValue, isAsyncIterable(result) ? "ok" : outcomeOf(result as ExecutionResult));
      },
    };
    const statusCounter = (status: number) => {
      let child = this.byStatus.get(status);
      if (!child) this.byStatus.set(status, (child = this.http.labels(String(status))));
      return child;
    };
    return {
      onExecute({ args }) {
        label(args);
        return executeDone;
      },
      onSubscribe({ args }) {
        label(args);
        return subscribeResult;
      },
      onResponse({ request, response, serverContext }) {
        const path = pathOf((serverContext as { req?: { url?: string } }).req?.url) ?? new URL(request.url).pathname;
        if (path === graphqlEndpoint) statusCounter(response.status).inc();
      },
    };
  }
}
