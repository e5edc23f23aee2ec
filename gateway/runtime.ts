// The gateway's engine: Hive Gateway's runtime over the checked-in supergraph (or any composed
// supergraph: SUPERGRAPH_PATH), with each subgraph's URL from configuration, the Rust query
// planner (@graphql-hive/router-runtime) unless GATEWAY_PLANNER=js, and our concerns as plugins.
// A fetch-API handler: server.ts mounts it on a Node HTTP server beside graphql-ws.

import { readFileSync } from "node:fs";
import { getOperationAST } from "graphql";
import {
  createGatewayRuntime,
  Logger,
  type GatewayConfigSupergraph,
  type GatewayPlugin,
  type GatewayRuntime,
} from "@graphql-hive/gateway-runtime";
import { PinoLogWriter } from "@graphql-hive/logger/writers/pino";
import { unifiedGraphHandler } from "@graphql-hive/router-runtime";
import type { Principal } from "../subgraphs/shared/auth/principal.ts";
import type { Config } from "../subgraphs/shared/config.ts";
import type { Logger as PinoLogger } from "../subgraphs/shared/logger.ts";
import { principalKeyedHttpTransport } from "./transport/http.ts";
import { IN_PROCESS_KIND, inProcessTransport, type InProcessSubgraph } from "./transport/in-process.ts";
import { signedWsTransport, type SubscriptionWrapper } from "./transport/ws.ts";
import { LiteralPathnamePattern } from "./url-pattern.ts";

export const DEFAULT_SUPERGRAPH_PATH = new URL("../schema/supergraph.graphql", import.meta.url);
export const GRAPHQL_ENDPOINT = "/graphql";

/** W3C trace context: says which trace a request belongs to, not what it asks. */
const TRACE_CONTEXT_HEADERS = new Set(["traceparent", "tracestate", "baggage"]);

export interface RuntimeOptions {
  readonly config: Config;
  readonly logger: PinoLogger;
  /** The supergraph's SDL; defaults to SUPERGRAPH_PATH, else the checked-in one. */
  readonly supergraphSdl?: string;
  /** Our concerns, in order (authentication first). */
  readonly plugins: readonly GatewayPlugin[] | readonly unknown[];
  /** How subscriptions are followed upstream (resumption, flow control). */
  readonly subscriptions: SubscriptionWrapper;
  /** HTML for a browser's GET /graphql. */
  readonly landingPage: () => string;
  /** Trusted documents (TRUSTED_DOCUMENTS): only the operations these list run. */
  readonly persistedDocuments?: GatewayConfigSupergraph["persistedDocuments"];
  /** Subgraphs served by this process, reached without HTTP (transport/in-process.ts); others by their URL. */
  readonly inProcess?: ReadonlyMap<string, InProcessSubgraph>;
}

/** The names of a supergraph's subgraphs (its join__Graph values). */
export function subgraphNamesOf(supergraphSdl: string): string[] {
  return [...supergraphSdl.matchAll(/@join__graph\(name:\s*"([^"]+)"/g)].map((match) => match[1]!);
}

/** Who a request is for, to share work only within one caller: its principal, with the key that made it. */
function callerOf(principal: Principal | undefined): string {
  if (!principal) return "anonymous";
  return principal.kind === "platform" ? `platform:${principal.tenantId}:${principal.livemode}:${principal.keyId}` : principal.kind;
}

export function readSupergraph(config: Config): string {
  return readFileSync(config.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH_PATH, "utf8");
}

/** Where each subgraph is: ours from configuration, any other by SUBGRAPH_URLS, else the supergraph's own URL. */
function locations(config: Config, names: readonly string[]): Record<string, { location: string }> {
  const overrides: Record<string, string> = { ...config.SUBGRAPH_URLS, ...config.subgraphUrls };
  return Object.fromEntries(names.filter((name) => overrides[name]).map((name) => [name, { location: overrides[name]! }]));
}

type TransportModule = NonNullable<Exclude<GatewayConfigSupergraph["transports"], (...args: never[]) => unknown>>[string];

export function hiveLogger(logger: PinoLogger): Logger {
  const level =
    logger.level === "silent" || logger.level === "fatal" ? false : (logger.level as "trace" | "debug" | "info" | "warn" | "error");
  return new Logger({ level, writers: [new PinoLogWriter(logger.child({ component: "hive" }))] });
}

export function buildRuntime(options: RuntimeOptions): GatewayRuntime {
  const { config } = options;
  const supergraph = options.supergraphSdl ?? readSupergraph(config);
  return createGatewayRuntime({
    supergraph,
    ...(config.GATEWAY_PLANNER === "rust" ? { unifiedGraphHandler } : {}),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    logging: hiveLogger(options.logger),
    transports: {
      http: principalKeyedHttpTransport,
      ws: signedWsTransport({
        gatewaySecret: config.gatewaySecret,
        keepAliveMs: config.WS_KEEPALIVE_MS,
        signatureMaxSkewMs: config.SIGNATURE_MAX_SKEW_MS,
        wrap: options.subscriptions,
      }) as TransportModule,
      ...(options.inProcess ? { [IN_PROCESS_KIND]: inProcessTransport(options.inProcess) as TransportModule } : {}),
    },
    transportEntries: {
      ...locations(config, subgraphNamesOf(supergraph)),
      // Subgraphs of this process: called directly (their URL still serves their subscriptions).
      ...Object.fromEntries(
        [...(options.inProcess?.keys() ?? [])].map((name) => [name, { kind: IN_PROCESS_KIND, ...locations(config, [name])[name] }]),
      ),
      "*.http": {
        options: {
          // Subscriptions go to a subgraph over graphql-ws, on its own URL.
          subscriptions: { kind: "ws" },
          // Identical subgraph requests in flight share one fetch, within one caller only
          // (transport/http.ts puts the caller's principal in the executor's key).
          deduplicateInflightRequests: config.DEDUPLICATE_SUBGRAPH_REQUESTS === "true",
        },
      },
    },
    // Errors are formatted by our own plugin (useErrorFormatting), which masks and logs once.
    maskedErrors: false,
    // Our own readiness (the gateway's, naming each subgraph's state) is served by the edge plugin on /readyz.
    healthCheckEndpoint: "/healthcheck",
    readinessCheckEndpoint: "/readiness",
    // The runtime's readiness check tests every request's path against a URLPattern: matched by
    // comparison, not the polyfill's regular expressions (url-pattern.ts).
    fetchAPI: { URLPattern: LiteralPathnamePattern as unknown as typeof URLPattern },
    landingPage: false,
    graphiql: true,
    renderGraphiQL: options.landingPage,
    cors: { maxAge: 600, exposedHeaders: ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After", "X-Request-Id"] },
    // Ours instead (plugins/request-log.ts says why): it never echoes an unsafe id.
    requestId: false,
    // Identical queries in flight at once (same caller: every header counts, but a client's trace
    // context, which is different on every request it traces) share one execution.
    // Only queries: a mutation always runs (its idempotency key decides what repeats).
    // The caller is its principal, named in the key whatever the headers say (over graphql-ws the
    // key is in connectionParams, not in any header).
    inboundInflightRequestDeduplication: config.DEDUPLICATE_INFLIGHT_QUERIES === "true" && {
      enabled: (args) => getOperationAST(args.document, args.operationName)?.operation === "query",
      getDeduplicationKeys: (args) => [callerOf((args.contextValue as { principal?: Principal }).principal)],
      shouldIncludeHeader: (name) => !TRACE_CONTEXT_HEADERS.has(name),
    },
    batching: false,
    ...(options.persistedDocuments ? { persistedDocuments: options.persistedDocuments } : {}),
    // Plugins from other envelop-based packages (GraphQL Armor) type their context narrower.
    plugins: () => [...(options.plugins as GatewayPlugin[])],
  });
}
