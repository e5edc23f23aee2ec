// Serves one subgraph over HTTP: POST /graphql behind the gateway's signature, /healthz, /readyz,
// GET /metrics (the process's metrics, unsigned: they carry no secrets; off with
// METRICS_ENABLED=false); and, when its schema has subscriptions, graphql-ws on the same /graphql
// (see subscriptions.ts). Used both standalone (one process per subgraph) and by the all-in-one
// process, whose gateway calls `execute` instead of POSTing (gateway/transport/in-process.ts),
// without Apollo Server's per-request pipeline where nothing needs it (graphql/in-process-execution.ts).
// Queries and mutations run compiled (graphql/compiled-execution.ts) unless
// SUBGRAPH_EXECUTOR=graphql-js. With tracing on, its requests and operations are spans
// (tracing/subgraph.ts); off, nothing of it is installed.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { FormattedExecutionResult, GraphQLSchema } from "graphql";
import { context } from "@opentelemetry/api";
import { executesSignedOperation, markInProcess, postOnly, requireGatewaySignature } from "./auth/gateway-only.ts";
import type { Principal } from "./auth/principal.ts";
import { createContext, type Dependencies, type SubgraphContext } from "./context.ts";
import { compiledExecution, compiledOperations, interpretedOperations } from "./graphql/compiled-execution.ts";
import { inProcessExecution, type InProcessRequest } from "./graphql/in-process-execution.ts";
import { formatErrorWith } from "./graphql/errors.ts";
import { requestLogging } from "./graphql/request-log.ts";
import { refuseMalformedText } from "./graphql/text-plugin.ts";
import { jsonBodyErrors, jsonInternalErrors } from "./http-errors.ts";
import { REQUEST_ID_HEADER, requestIdFrom, RequestScope } from "./request-id.ts";
import { operationMetrics, recordOperation } from "./graphql/operation-metrics.ts";
import { collectProcessMetrics, METRICS_CONTENT_TYPE, METRICS_PATH, processRegistry } from "./metrics.ts";
import { serveSubscriptions } from "./subscriptions.ts";
import { withScope } from "./tracing/context.ts";
import { subgraphTracing } from "./tracing/subgraph.ts";

/** An operation the gateway of the same process runs on the subgraph directly. */
export interface InProcessOperation {
  readonly query: string;
  readonly operationName?: string | undefined;
  readonly variables?: Record<string, unknown> | undefined;
  /** The caller, authenticated by the gateway: a value, not a signed header. */
  readonly principal: Principal;
  /** The gateway's id for the request (a fresh one if missing or unsafe). */
  readonly requestId?: string | undefined;
}

export interface RunningSubgraph {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** The dependencies it serves with (its long-lived services among them). */
  readonly deps: Dependencies;
  /**
   * Runs a query or mutation as the HTTP door would after its signature check, without HTTP or
   * JSON in between: for the gateway of the same process (gateway/transport/in-process.ts). The
   * result is what the door would have serialized: formatted errors, serialized scalars.
   */
  execute(operation: InProcessOperation): Promise<FormattedExecutionResult>;
  stop(): Promise<void>;
}

export interface ServeOptions {
  readonly name: string;
  readonly schema: GraphQLSchema;
  readonly deps: Dependencies;
  readonly host: string;
  readonly port: number;
}

export async function serveSubgraph(options: ServeOptions): Promise<RunningSubgraph> {
  const { deps, schema, name } = options;
  const logger = deps.logger.child({ subgraph: name });
  const app = express();
  app.disable("x-powered-by");
  const httpServer: Server = createServer(app);
  // Keep-alive connections from the gateway outlive a request; keep them longer than its agent.
  httpServer.keepAliveTimeout = 65_000;

  const formatError = formatErrorWith(logger, deps.outage);
  const requests = requestLogging(logger);
  const tracing = subgraphTracing(name);
  const metrics = deps.config.METRICS_ENABLED === "true";
  const compiled = deps.config.SUBGRAPH_EXECUTOR === "compiled" ? compiledOperations(schema) : undefined;
  const run = compiled ?? interpretedOperations(schema);
  const apollo = new ApolloServer<SubgraphContext>({
    ...(compiled ? { gateway: compiledExecution(schema, compiled) } : { schema }),
    formatError: (formatted, error) => formatError(formatted, error, requests.requestOf(error)),
    includeStacktraceInErrorResponses: false,
    // Shutdown is ordered by cmd/platform.ts (gateway, subgraphs, database), not by each server.
    stopOnTerminationSignals: false,
    // A hash-only request would run a query no signature covers (see auth/gateway-only.ts).
    persistedQueries: false,
    plugins: [
      // First: its span is the operation's whole life, the other plugins' hooks included.
      ...(tracing ? [tracing.plugin] : []),
      executesSignedOperation({ secret: deps.config.gatewaySecret, logger }),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: deps.config.SHUTDOWN_GRACE_MS }),
      ApolloServerPluginLandingPageDisabled(),
      // Traces are for Apollo's hosted studio, which these processes never report to.
      ApolloServerPluginInlineTraceDisabled(),
      // Cache hints: no one reads them (the gateway caches no responses), and computing them
      // wraps every field's resolver.
      ApolloServerPluginCacheControlDisabled(),
      refuseMalformedText(),
      requests.plugin,
      ...(metrics ? [operationMetrics<SubgraphContext>(name)] : []),
    ],
  });
  await apollo.start();
  /** An in-process operation through Apollo Server's pipeline, as the HTTP door runs it. */
  const throughApollo = async (request: InProcessRequest, contextValue: SubgraphContext): Promise<FormattedExecutionResult> => {
    const response = await apollo.executeOperation(request, { contextValue });
    if (response.body.kind !== "single") throw new Error("an in-process operation answered incrementally");
    return response.body.singleResult;
  };
  // The same, without the pipeline where nothing needs it (graphql/in-process-execution.ts).
  const direct = inProcessExecution<SubgraphContext>({
    schema,
    run,
    formatError,
    requests,
    record: metrics ? (type, failed, started) => recordOperation(name, type, failed, started) : undefined,
    fallback: throughApollo,
  });
  const subscriptions = schema.getSubscriptionType()
    ? serveSubscriptions({ httpServer, schema, deps, logger, formatError, tracing })
    : undefined;

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  // Set when stop() begins: a stopping subgraph leaves the gateway's and the load balancer's
  // ready set before its connections drain.
  let draining = false;
  app.get("/readyz", async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: "draining" });
      return;
    }
    try {
      await deps.db.sql.query("SELECT 1");
      res.json({ status: "ready" });
    } catch {
      res.status(503).json({ status: "database unreachable" });
    }
  });

  if (metrics) {
    collectProcessMetrics();
    app.get(METRICS_PATH, (_req, res, next) => {
      processRegistry.metrics().then((text) => res.type(METRICS_CONTENT_TYPE).send(text), next);
    });
  }

  app.use(
    "/graphql",
    ...(tracing ? [tracing.middleware] : []),
    postOnly,
    express.json({ limit: "2mb" }),
    requireGatewaySignature({ secret: deps.config.gatewaySecret, maxSkewMs: deps.config.SIGNATURE_MAX_SKEW_MS, logger }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createContext(res.locals["principal"], deps, new RequestScope(requestIdFrom(req.headers[REQUEST_ID_HEADER]), logger)),
    }),
  );
  app.use(jsonBodyErrors(2 * 1024 * 1024), jsonInternalErrors(logger));

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${options.host === "0.0.0.0" ? "127.0.0.1" : options.host}:${port}/graphql`;
  logger.debug({ url }, "subgraph listening");
  let stopping: Promise<void> | undefined;
  return {
    name,
    url,
    port,
    deps,
    async execute(operation) {
      const contextValue = markInProcess(
        createContext(operation.principal, deps, new RequestScope(requestIdFrom(operation.requestId), logger)),
      );
      const request = { query: operation.query, operationName: operation.operationName, variables: operation.variables };
      // In a request scope of its own, as the door's middleware gives each HTTP request: the
      // operation's span and its statements' continue the gateway's trace (tracing on only).
      if (tracing) return withScope(context.active(), () => throughApollo(request, contextValue));
      // A stopping subgraph answers as Apollo Server does once it is told to stop.
      return draining ? throughApollo(request, contextValue) : direct(request, contextValue);
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        // Sockets first: an open WebSocket would hold the HTTP drain until its grace period ends.
        await subscriptions?.drain();
        // The dependencies' services (event hub, batcher) outlive the server: stopped with them.
        await apollo.stop();
      })();
      return stopping;
    },
  };
}
