// graphql-ws on the gateway's port and path (ws://…/graphql), beside HTTP.
//
//   - The connection is admitted by its key (connectionParams.authorization), re-checked while
//     it lives (connections.ts).
//   - Queries and mutations run through the same Apollo Server as HTTP (its limits, plugins and
//     error formatting), with the connection's principal.
//   - Subscriptions are validated with the same limits, planned with the query planner, and
//     executed as FederatedSubscriptions over the subgraphs' sockets.

import type { IncomingMessage, Server } from "node:http";
import type { ApolloServer } from "@apollo/server";
import type { ServiceMap } from "@apollo/gateway";
import { getVariableValues, GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError, type ValidationRule } from "graphql";
import type { FormattedExecutionResult, SubscribePayload } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Config } from "../../subgraphs/shared/config.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import type { AuthFailures } from "../auth-failures.ts";
import type { Authenticator } from "../authenticate.ts";
import { rateKeyOf, rateLimited, type RateLimiter } from "../rate-limit.ts";
import type { GatewayContext } from "../data-source.ts";
import { CLOSE_SERVICE_RESTART, CLOSE_SLOW_CONSUMER } from "./close-codes.ts";
import { Connections, type Connection } from "./connections.ts";
import { CheckedDocuments, requestError } from "./checked-documents.ts";
import { FederatedSubscription } from "./federated-subscription.ts";
import type { PreparedSubscription, SubscriptionPlanner } from "./planner.ts";
import { RestExecutor, type ClientResult } from "./rest-executor.ts";
import { Feeds } from "./upstream-feed.ts";
import { Upstreams } from "./upstream.ts";

export interface GatewaySocketsOptions {
  readonly httpServer: Server;
  readonly config: Config;
  readonly logger: Logger;
  readonly apollo: ApolloServer<GatewayContext>;
  readonly planner: SubscriptionPlanner;
  readonly authenticator: Authenticator;
  /** A connection_init with a wrong key spends its address's budget, shared with HTTP. */
  readonly authFailures: AuthFailures;
  /** The client's address of an upgrade request (TRUST_PROXY applies as over HTTP). */
  readonly clientAddress: (request: IncomingMessage) => string;
  /** Each operation (not each event) spends one request of its tenant's budget. */
  readonly rateLimiter: RateLimiter;
  /** Signed HTTP data sources for the entity fetches that complete each event. */
  readonly services: ServiceMap;
  readonly validationRules: readonly ValidationRule[];
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

export interface SocketStats {
  readonly connections: number;
  /** Open subscriptions. */
  readonly subscriptions: number;
  /** Subscriptions that ever took their start position (a counter: tests wait on it). */
  readonly positioned: number;
  /** Upstream subscriptions shared by those (see upstream-feed.ts). */
  readonly upstreamFeeds: number;
}

export interface GatewaySockets {
  stats(): SocketStats;
  /** Closes every client socket (1012: reconnect and resume), then the upstream sockets. */
  drain(): Promise<void>;
}

// A type alias, not an interface: graphql-ws wants an index-signature-compatible record.
type Extra = {
  connection: Connection;
};

/** What onSubscribe hands to execute/subscribe for one operation. */
interface SocketOperation {
  readonly connection: Connection;
  readonly payload: SubscribePayload;
  readonly prepared: PreparedSubscription | undefined;
}

const CLOSE_GRACE_MS = 1_000;

export function serveGatewaySockets(options: GatewaySocketsOptions): GatewaySockets {
  const { config, logger, planner } = options;
  const connections = new Connections(options.authenticator, config.SUBSCRIPTION_AUTH_RECHECK_MS, logger, config.MAX_CONNECTIONS_PER_KEY, options.authFailures);
  const upstreams = new Upstreams({ urls: config.subgraphUrls, gatewaySecret: config.gatewaySecret, keepAliveMs: config.WS_KEEPALIVE_MS, signatureMaxSkewMs: config.SIGNATURE_MAX_SKEW_MS, logger });
  const rest = new RestExecutor({ services: options.services, schemas: () => planner.schemas, formatError: options.formatError, logger });
  const feeds = new Feeds();
  const documents = new CheckedDocuments(() => planner.schemas.api, options.validationRules);
  const format = (error: GraphQLError) => [options.formatError(error.toJSON(), error)];
  let subscriptions = 0;
  let positioned = 0;

  const wss = new WebSocketServer({ server: options.httpServer, path: "/graphql", maxPayload: config.MAX_QUERY_BYTES });
  const server = useServer<Record<string, unknown>, Extra>(
    {
      async onConnect(ctx) {
        const admission = await connections.admit(ctx.connectionParams, ctx.extra.socket, options.clientAddress(ctx.extra.request));
        if ("refusal" in admission) {
          // Our own code and reason; graphql-ws's generic 4403 that follows is ignored by ws.
          ctx.extra.socket.close(admission.refusal.code, admission.refusal.reason);
          return false;
        }
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) {
          // Closed while its key was being checked: onClose has run already, without it.
          connections.forget(admission.connection);
          return false;
        }
        ctx.extra.connection = admission.connection;
        return true;
      },
      onClose(ctx) {
        if (ctx.extra.connection) connections.forget(ctx.extra.connection);
      },
      async onSubscribe(ctx, _id, payload): Promise<ExecutionArgs | GraphQLError[]> {
        const connection = ctx.extra.connection!;
        if (Object.keys(ctx.subscriptions).length > config.MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return [new GraphQLError(`At most ${config.MAX_SUBSCRIPTIONS_PER_CONNECTION} operations at once on one connection`, { extensions: { code: "RATE_LIMITED" } })];
        }
        const decision = await options.rateLimiter.consume(rateKeyOf(connection.principal, undefined));
        if (!decision.allowed) return [rateLimited(decision)];
        const checked = documents.check(payload.query, payload.operationName ?? undefined);
        if ("errors" in checked) return checked.errors;
        const { document, operation } = checked;
        const schema = planner.schemas.api;
        let prepared: PreparedSubscription | undefined;
        if (operation.operation === "subscription") {
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
          if (coerced.errors) return coerced.errors.map((error) => requestError(error.message, "BAD_USER_INPUT"));
          try {
            prepared = planner.prepare(payload.query, document, payload.operationName ?? undefined);
          } catch (error) {
            // Thrown out of onSubscribe, graphql-ws would log to the console and close the socket.
            logger.error({ err: error }, "could not plan a subscription");
            return [new GraphQLError("Internal server error", { extensions: { code: "INTERNAL_SERVER_ERROR" } })];
          }
        }
        const contextValue: SocketOperation = { connection, payload, prepared };
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      // Queries and mutations: the same pipeline as HTTP, as this connection's principal.
      async execute(args) {
        const { connection, payload } = args.contextValue as SocketOperation;
        const response = await options.apollo.executeOperation(
          {
            query: payload.query,
            variables: payload.variables ?? undefined,
            operationName: payload.operationName ?? undefined,
            extensions: payload.extensions ?? undefined,
          },
          { contextValue: { principal: connection.principal } },
        );
        if (response.body.kind === "single") return response.body.singleResult as ExecutionResult;
        return { errors: format(new GraphQLError("Incremental delivery is not supported over graphql-ws", { extensions: { code: "BAD_USER_INPUT" } })) } as unknown as ExecutionResult;
      },
      subscribe(args) {
        const { connection, payload, prepared } = args.contextValue as SocketOperation;
        subscriptions += 1;
        const subscription = new FederatedSubscription(
          {
            upstream: upstreams.for(prepared!.primary.serviceName),
            feeds,
            rest,
            bufferEvents: config.SUBSCRIPTION_BUFFER_EVENTS,
            slowConsumerMs: config.SLOW_CONSUMER_TIMEOUT_MS,
            onSlowConsumer: (reason) => connection.socket.close(CLOSE_SLOW_CONSUMER, reason.slice(0, 120)),
            formatError: format,
            onPositioned: () => (positioned += 1),
            onClose: () => (subscriptions -= 1),
          },
          {
            prepared: prepared!,
            source: payload.query,
            document: args.document,
            operationName: payload.operationName ?? undefined,
            variables: payload.variables ?? {},
            principal: connection.principal,
          },
        );
        return subscription as AsyncIterableIterator<ClientResult> as unknown as AsyncIterableIterator<ExecutionResult>;
      },
      // Results are already formatted (Apollo's pipeline, or RestExecutor): send them as they are.
      onNext(_ctx, _id, _payload, _args, result) {
        return result as FormattedExecutionResult;
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map((error) => options.formatError(error.toJSON(), error));
      },
    },
    wss,
    config.WS_KEEPALIVE_MS,
  );

  return {
    stats: () => ({ connections: connections.size, subscriptions, positioned, upstreamFeeds: feeds.size }),
    async drain() {
      connections.stop();
      const sockets = [...wss.clients];
      const closed = sockets.map(closedPromise);
      for (const socket of sockets) socket.close(CLOSE_SERVICE_RESTART, "Gateway restarting: reconnect and resume with `after`");
      const grace = setTimeout(() => sockets.forEach((socket) => socket.terminate()), CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(grace);
      await server.dispose();
      await upstreams.stop();
    },
  };
}

function closedPromise(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === socket.CLOSED) resolve();
    else socket.once("close", () => resolve());
  });
}
