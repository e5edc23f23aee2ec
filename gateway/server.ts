// The gateway: one port, `/graphql` for HTTP and graphql-ws, Apollo Sandbox on GET, `/healthz`
// and `/readyz`. It authenticates API keys, enforces query limits, plans with Apollo Federation
// and calls subgraphs with signed principals; subscriptions are served by subscriptions/.

import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import cors from "cors";
import express, { type RequestHandler } from "express";
import type { OperationDefinitionNode, ValidationRule } from "graphql";
import type { Principal } from "../subgraphs/shared/auth/principal.ts";
import type { Config } from "../subgraphs/shared/config.ts";
import { formatErrorWith } from "../subgraphs/shared/graphql/errors.ts";
import { refuseMalformedText } from "../subgraphs/shared/graphql/text-plugin.ts";
import { jsonBodyErrors, jsonInternalErrors } from "../subgraphs/shared/http-errors.ts";
import type { Logger } from "../subgraphs/shared/logger.ts";
import { AuthFailures, sendTooManyFailures } from "./auth-failures.ts";
import { Authenticator, unauthenticated } from "./authenticate.ts";
import { clientAddresses } from "./client-address.ts";
import { SignedDataSource, type GatewayContext } from "./data-source.ts";
import { PARSE_OPTIONS, queryLimits } from "./limits.ts";
import { requireResolvedOperation } from "./operation-resolution.ts";
import { RateLimiter, rateKeyOf, rateLimited, retryAfterSeconds } from "./rate-limit.ts";
import { useStrictScalars } from "./scalars.ts";
import { SubscriptionPlanner } from "./subscriptions/planner.ts";
import { serveGatewaySockets, type SocketStats } from "./subscriptions/ws-server.ts";
import { answerUnavailable, outageStatus } from "./unavailable.ts";

export const SUPERGRAPH_PATH = new URL("../schema/supergraph.graphql", import.meta.url);

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Defaults to the checked-in schema/supergraph.graphql. */
  readonly supergraphSdl?: string;
  readonly port?: number;
  /** The window of AUTH_FAILURES_PER_MINUTE: a minute, unless a test shortens it. */
  readonly authFailureWindowMs?: number;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly httpServer: Server;
  /** Open graphql-ws connections and subscriptions. */
  socketStats(): SocketStats;
  stop(): Promise<void>;
}

/** Introspection is public (Sandbox needs the schema before a key is pasted); data is not. */
function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === "Field" && selection.name.value.startsWith("__"),
  );
}

const requireKey: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation }) {
        if (!contextValue.principal && !(operation && isIntrospectionOnly(operation))) {
          throw unauthenticated("Missing API key: use `Authorization: Bearer <secret key>`");
        }
      },
    };
  },
};

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config } = options;
  const logger = options.logger.child({ component: "gateway" });
  const app = express();
  app.disable("x-powered-by");
  const clientAddress = clientAddresses(app, config.TRUST_PROXY);
  const httpServer = createServer(app);
  // Idle keep-alive connections outlive any client's or load balancer's idle timeout, so the
  // client always closes first: a server closing an idle socket just as a client reuses it
  // shows up as a failed request. (Node's default is 5 s; undici's client side is 4 s.)
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  const buildService = (name: string) => {
    const url = config.subgraphUrls[name as keyof Config["subgraphUrls"]];
    if (!url) throw new Error(`no URL configured for subgraph ${name}`);
    return new SignedDataSource(url, config.gatewaySecret);
  };
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, "utf8"),
    buildService: ({ name }) => buildService(name),
    logger,
  });
  useStrictScalars(gateway);
  const planner = new SubscriptionPlanner();
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => planner.update(apiSchema, coreSupergraphSdl));
  const limits = queryLimits({ maxDepth: config.MAX_QUERY_DEPTH });
  const formatError = formatErrorWith(logger);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    validationRules: limits.validationRules,
    parseOptions: PARSE_OPTIONS,
    allowBatchedHttpRequests: false,
    // Shutdown is ordered by cmd/platform.ts (gateway, subgraphs, database), not by each server.
    stopOnTerminationSignals: false,
    plugins: [
      // GraphQL Armor is typed against @apollo/server's CommonJS build; the objects are the same.
      ...(limits.plugins as unknown as ApolloServerPlugin<GatewayContext>[]),
      requireResolvedOperation,
      requireKey,
      refuseMalformedText<GatewayContext>(),
      outageStatus,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  });
  await apollo.start();

  const authenticator = new Authenticator({
    accountsUrl: config.subgraphUrls.accounts,
    gatewaySecret: config.gatewaySecret,
    adminApiKey: config.ADMIN_API_KEY,
    cacheTtlMs: config.AUTH_CACHE_TTL_MS,
  });
  const authFailures = new AuthFailures({ perWindow: config.AUTH_FAILURES_PER_MINUTE, windowMs: options.authFailureWindowMs ?? 60_000, redisUrl: config.RATE_LIMIT_REDIS_URL, logger });
  await authFailures.ready();

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const checks = await Promise.all(
      Object.entries(config.subgraphUrls).map(async ([name, url]) => {
        const ok = await fetch(url.replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(2_000) })
          .then((response) => response.ok)
          .catch(() => false);
        return [name, ok ? "ready" : "unreachable"] as const;
      }),
    );
    const ready = checks.every(([, status]) => status === "ready");
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", supergraph: "loaded", subgraphs: Object.fromEntries(checks) });
  });

  // An Authorization header, when present, must be right; without one only introspection
  // passes (see requireKey).
  const authenticate: RequestHandler = async (req, res, next) => {
    const authorization = req.headers.authorization;
    if (!authorization) return next();
    try {
      res.locals["principal"] = await authFailures.guard(req.ip, () => authenticator.authenticate(authorization));
      next();
    } catch (error) {
      if (sendTooManyFailures(res, error)) return;
      const extensions = (error as { extensions?: { code?: string; http?: { status?: number } } }).extensions;
      const status = extensions?.http?.status ?? 500;
      if (status >= 500) {
        // The key could not be checked (the accounts subgraph or its database is away): a
        // lookup is always safe to retry.
        logger.error({ err: error }, "authentication failed");
        answerUnavailable(res, "Authentication is unavailable; retry shortly");
        return;
      }
      res.status(status).json({ errors: [{ message: (error as Error).message, extensions: { code: extensions?.code ?? "INTERNAL_SERVER_ERROR" } }] });
    }
  };

  // After authentication, so that a platform's requests spend its own budget (see rate-limit.ts).
  const rateLimiter = new RateLimiter({ perSecond: config.RATE_LIMIT_PER_SECOND, redisUrl: config.RATE_LIMIT_REDIS_URL, logger });
  await rateLimiter.ready();
  const limitRate: RequestHandler = async (req, res, next) => {
    if (!rateLimiter.enabled) return next();
    const decision = await rateLimiter.consume(rateKeyOf(res.locals["principal"] as Principal | undefined, req.ip));
    res.setHeader("RateLimit-Limit", String(decision.limit));
    if (decision.allowed) {
      res.setHeader("RateLimit-Remaining", String(decision.remaining));
      res.setHeader("RateLimit-Reset", String(Math.ceil(decision.resetMs / 1_000)));
      return next();
    }
    const error = rateLimited(decision);
    res.setHeader("RateLimit-Remaining", "0");
    res.setHeader("Retry-After", String(retryAfterSeconds(decision)));
    res.status(429).json({ errors: [{ message: error.message, extensions: error.extensions }] });
  };

  app.use(
    "/graphql",
    cors({ maxAge: 600, exposedHeaders: ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"] }),
    express.json({ limit: config.MAX_QUERY_BYTES }),
    jsonBodyErrors(config.MAX_QUERY_BYTES),
    authenticate,
    limitRate,
    expressMiddleware(apollo, {
      context: async ({ res }) => ({ principal: res.locals["principal"] }),
    }),
  );
  app.use(jsonInternalErrors(logger));

  const sockets = serveGatewaySockets({
    httpServer,
    config,
    logger,
    apollo,
    planner,
    authenticator,
    authFailures,
    clientAddress,
    rateLimiter,
    services: Object.fromEntries(Object.keys(config.subgraphUrls).map((name) => [name, buildService(name)])),
    validationRules: limits.validationRules as unknown as ValidationRule[],
    formatError,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port ?? config.PORT, config.HOST, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    httpServer,
    socketStats: () => sockets.stats(),
    stop() {
      stopping ??= (async () => {
        // Sockets first: an open WebSocket would hold the HTTP drain until its grace period ends.
        await sockets.drain();
        await apollo.stop();
        await rateLimiter.close();
        await authFailures.close();
      })();
      return stopping;
    },
  };
}
