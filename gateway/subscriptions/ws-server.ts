// graphql-ws on the gateway's port and path (ws://…/graphql), beside HTTP, executing through the
// same runtime (getGraphQLWSOptions): the same plugins, limits and error formatting as HTTP.
//
//   - The connection is admitted by its key (connectionParams.authorization), re-checked while
//     it lives (connections.ts); each operation runs as that key's principal.
//   - Each operation spends one request of its tenant's budget; a connection holds at most
//     MAX_SUBSCRIPTIONS_PER_CONNECTION operations at once.
//   - A subscription is parsed and validated before it starts, so a bad one is refused with an
//     `error` message (graphql-ws's "before execution" answer) rather than a stream.
//   - Identical subscriptions (caller, operation, variables) share one execution (shared.ts).

import type { IncomingMessage, Server } from "node:http";
import { getGraphQLWSOptions, type GatewayRuntime } from "@graphql-hive/gateway-runtime";
import { getOperationAST, getVariableValues, GraphQLError, Kind, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from "graphql";
import type { FormattedExecutionResult } from "graphql-ws";
import { useServer, type Extra as WsExtra } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Config } from "../../subgraphs/shared/config.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import type { AuthFailures } from "../auth-failures.ts";
import type { Authenticator } from "../authenticate.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { forSocket } from "../plugins/errors.ts";
import { rateKeyOf, rateLimited, type RateLimiter } from "../rate-limit.ts";
import { CLOSE_SERVICE_RESTART } from "./close-codes.ts";
import { Connections, type Connection } from "./connections.ts";
import type { SharedSubscriptions } from "./shared.ts";

export interface GatewaySocketsOptions {
  readonly httpServer: Server;
  readonly config: Config;
  readonly logger: Logger;
  readonly runtime: GatewayRuntime;
  readonly authenticator: Authenticator;
  /** A connection_init with a wrong key spends its address's budget, shared with HTTP. */
  readonly authFailures: AuthFailures;
  /** The client's address of an upgrade request (TRUST_PROXY applies as over HTTP). */
  readonly clientAddress: (request: IncomingMessage) => string;
  /** Each operation (not each event) spends one request of its tenant's budget. */
  readonly rateLimiter: RateLimiter;
  readonly shared: SharedSubscriptions;
  /** The one error formatter (plugins/errors.ts). */
  readonly maskError: (error: unknown) => GraphQLError;
  /** Refusals and delivered events (absent: METRICS_ENABLED=false). */
  readonly metrics?: Pick<GatewayMetrics, "authFailure" | "rateLimited" | "subscriptionEvent"> | undefined;
}

export interface GatewaySockets {
  readonly connections: number;
  /** Closes every client socket (1012: reconnect and resume with `after`). */
  drain(): Promise<void>;
}

// A type alias, not an interface: graphql-ws wants an index-signature-compatible record.
type Extra = WsExtra & { connection?: Connection } & Record<PropertyKey, unknown>;

const CLOSE_GRACE_MS = 1_000;

function requestError(message: string, reason: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: reason } });
}

/** Whether a subscription asks to start after an event (`after`: a literal, or a variable with a value). */
function resumes(document: DocumentNode, variables: Readonly<Record<string, unknown>> | null | undefined): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (node.name.value !== "after") return;
      if (node.value.kind === Kind.VARIABLE) found ||= variables?.[node.value.name.value] != null;
      else found ||= node.value.kind !== Kind.NULL;
    },
  });
  return found;
}

/** What the shared execution's context carries for the socket server. */
interface SocketContext {
  principal?: unknown;
  params?: { query?: string; operationName?: string | null; variables?: Record<string, unknown> | null };
  mgResumes?: boolean;
  /** A subscription (each result is an event), not a query or mutation sent over the socket. */
  mgSubscription?: boolean;
}

export function serveGatewaySockets(options: GatewaySocketsOptions): GatewaySockets {
  const { config, logger, runtime, metrics } = options;
  const connections = new Connections(options.authenticator, config.SUBSCRIPTION_AUTH_RECHECK_MS, logger, config.MAX_CONNECTIONS_PER_KEY, options.authFailures, metrics);
  const formatted = (errors: readonly GraphQLError[]) => forSocket(errors.map((error) => options.maskError(error)));

  const hive = getGraphQLWSOptions<Record<string, unknown>, Extra>(runtime, (ctx) => {
    const { request, socket, connection } = ctx.extra;
    const url = new URL(request.url ?? "/graphql", `http://${request.headers.host ?? "localhost"}`);
    const headers = new runtime.fetchAPI.Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers.set(name, value);
    return {
      req: request,
      socket,
      // An operation over the socket is not a GET: mutations run too.
      request: new runtime.fetchAPI.Request(url, { method: "POST", headers }),
      principal: connection!.principal,
    };
  });

  /**
   * Refuses a subscription that would not run (unparsable, invalid, beyond limits, bad variables);
   * otherwise says whether it is a subscription, and whether it resumes.
   */
  function checkSubscription(
    schema: GraphQLSchema,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  ): GraphQLError[] | { subscription: boolean; resumes: boolean } {
    const enveloped = runtime.getEnveloped({});
    let document: DocumentNode;
    try {
      document = enveloped.parse(payload.query);
    } catch (error) {
      return [error instanceof GraphQLError ? error : requestError((error as Error).message, "GRAPHQL_PARSE_FAILED")];
    }
    const operation = getOperationAST(document, payload.operationName ?? undefined);
    if (!operation) return [requestError("Unable to identify the operation: give an operationName", "GRAPHQL_VALIDATION_FAILED")];
    if (operation.operation !== "subscription") return { subscription: false, resumes: false };
    const errors = enveloped.validate(schema, document) as readonly GraphQLError[];
    if (errors.length > 0) return errors.map((error) => (error.extensions["code"] ? error : requestError(error.message, "GRAPHQL_VALIDATION_FAILED")));
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return coerced.errors.map((error) => requestError(error.message, "BAD_USER_INPUT"));
    return { subscription: true, resumes: resumes(document, payload.variables) };
  }

  const wss = new WebSocketServer({ server: options.httpServer, path: "/graphql", maxPayload: config.MAX_QUERY_BYTES });
  const server = useServer<Record<string, unknown> | undefined, Extra>(
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
      async onSubscribe(ctx, id, payload) {
        const connection = ctx.extra.connection!;
        if (Object.keys(ctx.subscriptions).length > config.MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          metrics?.rateLimited("ws", "operations_per_connection");
          return [new GraphQLError(`At most ${config.MAX_SUBSCRIPTIONS_PER_CONNECTION} operations at once on one connection`, { extensions: { code: "RATE_LIMITED" } })];
        }
        const decision = await options.rateLimiter.consume(rateKeyOf(connection.principal, undefined));
        if (!decision.allowed) {
          metrics?.rateLimited("ws", "requests");
          return [rateLimited(decision)];
        }
        const checked = checkSubscription(await runtime.getSchema(), payload);
        if (Array.isArray(checked)) return checked;
        const args = (await hive.onSubscribe!(ctx, id, payload)) as ExecutionArgs;
        (args.contextValue as SocketContext).mgResumes = checked.resumes;
        (args.contextValue as SocketContext).mgSubscription = checked.subscription;
        return args;
      },
      execute: hive.execute,
      subscribe(args) {
        const context = args.contextValue as SocketContext;
        const { query, operationName, variables } = context.params ?? {};
        const key = JSON.stringify([context.principal, query, operationName ?? null, variables ?? null]);
        return options.shared.subscribe(key, context.mgResumes ?? false, args.contextValue as object, async (startAfter) => {
          const own = startAfter ? { ...args, contextValue: { ...(args.contextValue as object), mgStartAfter: startAfter } } : args;
          return (await hive.subscribe!(own)) as AsyncIterableIterator<ExecutionResult> | ExecutionResult;
        });
      },
      onNext(_ctx, _id, _payload, args, result) {
        if (metrics && (args.contextValue as SocketContext).mgSubscription) metrics.subscriptionEvent();
        const { errors, ...rest } = result as ExecutionResult;
        return (errors ? { ...rest, errors: formatted(errors) } : rest) as FormattedExecutionResult;
      },
      onError(_ctx, _id, _payload, errors) {
        return formatted(errors);
      },
    },
    wss,
    config.WS_KEEPALIVE_MS,
  );

  return {
    get connections() {
      return connections.size;
    },
    async drain() {
      connections.stop();
      const sockets = [...wss.clients];
      const closed = sockets.map(closedPromise);
      for (const socket of sockets) socket.close(CLOSE_SERVICE_RESTART, "Gateway restarting: reconnect and resume with `after`");
      const grace = setTimeout(() => sockets.forEach((socket) => socket.terminate()), CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(grace);
      await server.dispose();
    },
  };
}

function closedPromise(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === socket.CLOSED) resolve();
    else socket.once("close", () => resolve());
  });
}
