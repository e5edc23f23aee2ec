// The gateway: one port, `/graphql` for HTTP and graphql-ws, the offline explorer on GET, the
// reference dashboard at `/dashboard/` (plugins/dashboard.ts), `/healthz`, `/readyz` and
// `/metrics` (metrics.ts; off with METRICS_ENABLED=false). Hive
// Gateway's runtime plans and executes (runtime.ts); API keys, signed principals, limits, rate
// limits, strict scalars, error formatting, metrics, request ids and the access log are its
// plugins; subscriptions are followed upstream by subscriptions/resumable.ts. Operations are
// anything valid (with Apollo's automatic persisted queries), or, with TRUSTED_DOCUMENTS, only
// those a manifest lists (trusted-documents.ts).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../subgraphs/shared/config.ts";
import type { Logger } from "../subgraphs/shared/logger.ts";
import { collectProcessMetrics } from "../subgraphs/shared/metrics.ts";
import { AuthFailures } from "./auth-failures.ts";
import { Authenticator } from "./authenticate.ts";
import { clientAddresses } from "./client-address.ts";
import { landingPage } from "./landing-page.ts";
import { queryLimitPlugins } from "./limits.ts";
import { GatewayMetrics } from "./metrics.ts";
import { useDashboard } from "./plugins/dashboard.ts";
import { useApiKeys } from "./plugins/api-keys.ts";
import { useAPQ } from "@graphql-yoga/plugin-apq";
import { gatewayErrorFormatter, useErrorFormatting, useTypedRequestErrors } from "./plugins/errors.ts";
import { useHttpEdge } from "./plugins/http-edge.ts";
import { RequestLog } from "./plugins/request-log.ts";
import { useWholeRequestStatus, useTextRule } from "./plugins/request-rules.ts";
import { useSignedSubgraphRequests } from "./plugins/signing.ts";
import { socketOperationTracer, useTracing } from "./plugins/tracing.ts";
import { RateLimiter } from "./rate-limit.ts";
import { buildRuntime, GRAPHQL_ENDPOINT, hiveLogger } from "./runtime.ts";
import { useStrictScalars } from "./scalars.ts";
import { CLOSE_SLOW_CONSUMER } from "./subscriptions/close-codes.ts";
import { useEventGuard } from "./subscriptions/event-guard.ts";
import { resumableSubscriptions } from "./subscriptions/resumable.ts";
import { SharedSubscriptions } from "./subscriptions/shared.ts";
import type { InProcessSubgraph } from "./transport/in-process.ts";
import { serveGatewaySockets } from "./subscriptions/ws-server.ts";
import { persistedDocumentsOption, TrustedDocuments, useListedTextAsId } from "./trusted-documents.ts";
import { tracingEnabled } from "../subgraphs/shared/tracing/setup.ts";

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Defaults to SUPERGRAPH_PATH, else the checked-in schema/supergraph.graphql. */
  readonly supergraphSdl?: string;
  readonly port?: number;
  /** The window of AUTH_FAILURES_PER_MINUTE: a minute, unless a test shortens it. */
  readonly authFailureWindowMs?: number;
  /** Where API keys are checked (default: the accounts subgraph's configured URL). */
  readonly authenticationUrl?: string;
  /** Subgraphs served by the same process: with SUBGRAPH_TRANSPORT=in-process, called without HTTP. */
  readonly inProcessSubgraphs?: ReadonlyMap<string, InProcessSubgraph>;
}

export interface SocketStats {
  readonly connections: number;
  /** Open client subscriptions. */
  readonly subscriptions: number;
  /** Subscriptions that ever took their start position (a counter: tests wait on it). */
  readonly positioned: number;
  /** Upstream subscriptions serving them (identical ones share one: subscriptions/shared.ts). */
  readonly upstreams: number;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly httpServer: Server;
  /** Open graphql-ws connections and subscriptions. */
  socketStats(): SocketStats;
  /** Development: the explorer's Authorization header comes filled with this key (ignored in production). */
  prefillExplorerKey(key: string): void;
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config } = options;
  const logger = options.logger.child({ component: "gateway" });

  const authenticator = new Authenticator({
    accountsUrl: options.authenticationUrl ?? config.subgraphUrls.accounts,
    gatewaySecret: config.gatewaySecret,
    adminApiKey: config.ADMIN_API_KEY,
    cacheTtlMs: config.AUTH_CACHE_TTL_MS,
    logger,
  });
  const rateLimiter = new RateLimiter({ perSecond: config.RATE_LIMIT_PER_SECOND, redisUrl: config.RATE_LIMIT_REDIS_URL, logger });
  await rateLimiter.ready();
  const authFailures = new AuthFailures({
    perWindow: config.AUTH_FAILURES_PER_MINUTE,
    windowMs: options.authFailureWindowMs ?? 60_000,
    redisUrl: config.RATE_LIMIT_REDIS_URL,
    logger,
  });
  await authFailures.ready();
  const clientAddress = clientAddresses(config.TRUST_PROXY);
  const metrics =
    config.METRICS_ENABLED === "true"
      ? new GatewayMetrics({
          graphqlEndpoint: GRAPHQL_ENDPOINT,
          subgraphUrls: { ...config.SUBGRAPH_URLS, ...config.subgraphUrls },
          log: hiveLogger(logger),
        })
      : undefined;
  if (metrics) collectProcessMetrics();
  const maskError = gatewayErrorFormatter(logger, metrics && ((code) => metrics.error(code)));
  const requests = new RequestLog(logger);
  // Only when tracing is on: off, the request path has no trace of it.
  const tracing = tracingEnabled() ? useTracing({ graphqlEndpoint: GRAPHQL_ENDPOINT }) : undefined;

  let draining = false;
  let upstreams = 0;
  let positioned = 0;
  const shared = new SharedSubscriptions({ bufferEvents: config.SUBSCRIPTION_BUFFER_EVENTS, onPositioned: () => (positioned += 1) });
  const explorer = landingPage({ production: config.NODE_ENV === "production" });
  const trusted = config.TRUSTED_DOCUMENTS ? TrustedDocuments.load(config.TRUSTED_DOCUMENTS) : undefined;
  if (trusted) logger.info({ documents: trusted.size }, "trusted documents only (TRUSTED_DOCUMENTS)");
  const runtime = buildRuntime({
    config,
    logger,
    ...(options.supergraphSdl ? { supergraphSdl: options.supergraphSdl } : {}),
    landingPage: () => explorer.render(),
    ...(trusted ? { persistedDocuments: persistedDocumentsOption(trusted) } : {}),
    ...(options.inProcessSubgraphs?.size && config.SUBGRAPH_TRANSPORT === "in-process" ? { inProcess: options.inProcessSubgraphs } : {}),
    subscriptions: resumableSubscriptions({
      bufferEvents: config.SUBSCRIPTION_BUFFER_EVENTS,
      slowConsumerMs: config.SLOW_CONSUMER_TIMEOUT_MS,
      logger,
      onSlowConsumer: (context, reason) => {
        const socket = (context as { socket?: { close(code: number, reason: string): void } }).socket;
        if (!socket) return;
        socket.close(CLOSE_SLOW_CONSUMER, reason.slice(0, 120));
        shared.endFor(socket);
      },
      onPositioned: (context) => shared.positioned(context),
      onOpen: () => (upstreams += 1),
      onClose: () => (upstreams -= 1),
    }),
    plugins: [
      // First: its spans wrap everything the other plugins do (tracing on only).
      ...(tracing ? [tracing] : []),
      // First: every response, however early, has its request id and its access log line.
      requests.plugin(),
      // They see every request and operation, those the plugins below refuse too.
      ...(metrics ? metrics.plugins() : []),
      // The reference dashboard's static files at /dashboard/ (nothing else reaches it).
      useDashboard({ directory: config.DASHBOARD_DIR }),
      // Apollo Server's automatic persisted queries, which Apollo Client's link speaks; with
      // trusted documents, no registration: a listed text runs as its id instead.
      trusted ? useListedTextAsId(trusted) : useAPQ(),
      useHttpEdge({
        graphqlEndpoint: GRAPHQL_ENDPOINT,
        maxBodyBytes: config.MAX_QUERY_BYTES,
        subgraphUrls: config.subgraphUrls,
        draining: () => draining,
        requests,
        metrics,
      }),
      useApiKeys({ authenticator, authFailures, clientAddress, rateLimiter, graphqlEndpoint: GRAPHQL_ENDPOINT, logger, requests, metrics }),
      ...queryLimitPlugins({ maxDepth: config.MAX_QUERY_DEPTH }),
      useTypedRequestErrors(),
      useStrictScalars(),
      useTextRule(),
      // Formats first: the outage status reads the typed codes.
      useErrorFormatting(maskError, requests),
      useWholeRequestStatus(),
      useSignedSubgraphRequests(config.gatewaySecret),
      useEventGuard(),
    ],
  });
  // Load (and check) the supergraph now rather than on the first request.
  await runtime.getSchema();

  const httpServer = createServer(runtime);
  // Idle keep-alive connections outlive any client's or load balancer's idle timeout, so the
  // client always closes first: a server closing an idle socket just as a client reuses it
  // shows up as a failed request. (Node's default is 5 s; undici's client side is 4 s.)
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const sockets = serveGatewaySockets({
    httpServer,
    config,
    logger,
    runtime,
    authenticator,
    authFailures,
    clientAddress,
    rateLimiter,
    shared,
    maskError,
    trusted,
    traceOperation: tracing && socketOperationTracer(tracing),
    metrics,
  });
  metrics?.readSockets(() => ({ connections: sockets.connections, subscriptions: shared.size, upstreams }));

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port ?? config.PORT, config.HOST, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  logger.debug({ planner: config.GATEWAY_PLANNER }, "gateway runtime ready");
  let stopping: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    httpServer,
    socketStats: () => ({ connections: sockets.connections, subscriptions: shared.size, positioned, upstreams }),
    prefillExplorerKey: (key) => explorer.prefill(key),
    stop() {
      stopping ??= (async () => {
        // Not ready from now on (/readyz answers 503), so no new traffic is sent here meanwhile.
        draining = true;
        const started = performance.now();
        const elapsed = () => Math.round(performance.now() - started);
        // Sockets first: an open WebSocket would hold the HTTP drain until its grace period ends.
        const openSockets = sockets.connections;
        await sockets.drain();
        const socketsMs = elapsed();
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        // close() ends the connections idle at this moment; one serving a request would stay
        // open for keepAliveTimeout after its response, for a next request that is not coming (a
        // browser keeps it that long). From now on such a connection ends once its response is
        // done (within Node's one-second keep-alive buffer).
        httpServer.keepAliveTimeout = 1;
        httpServer.closeIdleConnections();
        // A request still unanswered after the grace (a client that sent half of one and went
        // quiet would otherwise hold the stop until headersTimeout) is cut off.
        const cutOff = setTimeout(() => {
          logger.warn({ graceMs: config.SHUTDOWN_GRACE_MS }, "stopping: connections still open after the grace are cut off");
          httpServer.closeAllConnections();
        }, config.SHUTDOWN_GRACE_MS);
        await closed;
        clearTimeout(cutOff);
        const httpMs = elapsed();
        await runtime.dispose();
        await rateLimiter.close();
        await authFailures.close();
        logger.info({ openSockets, socketsMs, httpMs, totalMs: elapsed() }, "gateway stopped");
      })();
      return stopping;
    },
  };
}
