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
//   - Each operation has a request id (its subscribe message's `extensions.requestId` when that
//     is a safe token, else a new one), which its errors carry, the subgraphs receive and its
//     one log line, when it ends, names ("socket operation": operation, duration, events, how it
//     ended). A shared execution's subgraph requests carry the id of the operation that started it.
//   - With TRUSTED_DOCUMENTS, an operation the manifest does not list is refused before execution,
//     with HTTP's reasons (trusted-documents.ts); a listed one runs by its id.
//   - With tracing on, each operation is traced as over HTTP (plugins/tracing.ts); a shared
//     execution is traced once, in the trace of the subscription that started it.

import type { IncomingMessage, Server } from "node:http";
import { getGraphQLWSOptions, type GatewayRuntime } from "@graphql-hive/gateway-runtime";
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationTypeNode,
} from "graphql";
import type { FormattedExecutionResult } from "graphql-ws";
import { useServer, type Extra as WsExtra } from "graphql-ws/use/ws";
import type { Config } from "../../subgraphs/shared/config.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import { webSocketDoor } from "../../subgraphs/shared/websocket-door.ts";
import { extensionRequestId, requestIdFrom, RequestScope, socketOperationEnding } from "../../subgraphs/shared/request-id.ts";
import type { AuthFailures } from "../auth-failures.ts";
import type { Authenticator } from "../authenticate.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { forSocket, type ErrorFormatter } from "../plugins/errors.ts";
import type { SocketOperationContext, SocketOperationTracer } from "../plugins/tracing.ts";
import { rateKeyOf, rateLimited, type RateLimiter } from "../rate-limit.ts";
import { CLOSE_SERVICE_RESTART } from "./close-codes.ts";
import { Connections, type Connection } from "./connections.ts";
import type { DirectDelivery, SharedSubscriptions } from "./shared.ts";
import { socketOperation, type TrustedDocuments } from "../trusted-documents.ts";

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
  readonly maskError: ErrorFormatter;
  /** TRUSTED_DOCUMENTS: only these operations run (refused before execution otherwise). */
  readonly trusted?: TrustedDocuments | undefined;
  /** Present when tracing is on: runs an operation in its spans. */
  readonly traceOperation?: SocketOperationTracer | undefined;
  /** Refusals and delivered events (absent: METRICS_ENABLED=false). */
  readonly metrics?: Pick<GatewayMetrics, "authFailure" | "rateLimited" | "subscriptionEvent"> | undefined;
}

export interface GatewaySockets {
  readonly connections: number;
  /** Closes every client socket (1012: reconnect and resume with `after`). */
  drain(): Promise<void>;
}

/** One operation on a socket, for its log line. */
class SocketOperation extends RequestScope {
  readonly startedAt = performance.now();
  /** graphql-ws's table of the socket's operations when this one started (see onComplete). */
  subscriptions: object | undefined;
  operationName: string | undefined;
  operationType: OperationTypeNode | undefined;
  events = 0;
  readonly errorCodes = new Set<string>();
}

// A type alias, not an interface: graphql-ws wants an index-signature-compatible record.
type Extra = WsExtra & { connection?: Connection; operations?: Map<string, SocketOperation> } & Record<PropertyKey, unknown>;

function requestError(message: string, reason: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: reason } });
}

/**
 * Whether a subscription asks for more than what happens from now: to start after an event
 * (`after`: a literal, or a variable with a value) or with the balances first (`current: true`).
 * Such a subscription shares only an execution that has delivered nothing yet.
 */
function resumes(document: DocumentNode, variables: Readonly<Record<string, unknown>> | null | undefined): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      const name = node.name.value;
      if (name !== "after" && name !== "current") return;
      const value = valueFromASTUntyped(node.value, variables ?? undefined);
      found ||= name === "after" ? value != null : value === true;
    },
  });
  return found;
}

/** What the shared execution's context carries for the socket server. */
interface SocketContext {
  principal?: unknown;
  params?: { query?: string; documentId?: string; operationName?: string | null; variables?: Record<string, unknown> | null };
  mgResumes?: boolean;
  /** Sent on to the subgraphs (plugins/request-log.ts, transport/ws.ts). */
  requestId?: string;
  /** A subscription (each result is an event), not a query or mutation sent over the socket. */
  mgSubscription?: boolean;
  /** Writes an event straight to the client (shared.ts), counted as onNext counts it. */
  mgDirect?: DirectDelivery;
}

export function serveGatewaySockets(options: GatewaySocketsOptions): GatewaySockets {
  const { config, logger, runtime, traceOperation, metrics } = options;
  const traced = <T>(args: ExecutionArgs, run: () => Promise<T> | T): Promise<T> | T =>
    traceOperation ? traceOperation(args.contextValue as SocketOperationContext, run) : run();
  const connections = new Connections(
    options.authenticator,
    config.SUBSCRIPTION_AUTH_RECHECK_MS,
    logger,
    config.MAX_CONNECTIONS_PER_KEY,
    options.authFailures,
    metrics,
  );
  const formatted = (errors: readonly GraphQLError[], operation: SocketOperation | undefined) => {
    const masked = errors.map((error) => options.maskError(error, operation));
    for (const error of masked) operation?.errorCodes.add(String(error.extensions["code"]));
    return forSocket(masked);
  };
  /** The operation's one line, when it ends (however it does). */
  const ended = (extra: Extra, id: string, how: string) => {
    const operation = extra.operations?.get(id);
    if (!operation) return;
    extra.operations!.delete(id);
    if (!logger.isLevelEnabled("info")) return;
    const principal = extra.connection?.principal;
    logger.info(
      {
        requestId: operation.requestId,
        operationName: operation.operationName,
        operationType: operation.operationType,
        tenantId: principal?.kind === "platform" ? principal.tenantId : undefined,
        durationMs: Math.round((performance.now() - operation.startedAt) * 10) / 10,
        events: operation.events,
        ended: how,
        errorCodes: operation.errorCodes.size > 0 ? [...operation.errorCodes] : undefined,
      },
      "socket operation",
    );
  };

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
   * otherwise names the operation and says whether it is a subscription, and whether it resumes.
   */
  function checkSubscription(
    schema: GraphQLSchema,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
    named: SocketOperation,
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
    named.operationType = operation.operation;
    named.operationName = operation.name?.value;
    if (operation.operation !== "subscription") return { subscription: false, resumes: false };
    const errors = enveloped.validate(schema, document) as readonly GraphQLError[];
    if (errors.length > 0)
      return errors.map((error) => (error.extensions["code"] ? error : requestError(error.message, "GRAPHQL_VALIDATION_FAILED")));
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return coerced.errors.map((error) => requestError(error.message, "BAD_USER_INPUT"));
    return { subscription: true, resumes: resumes(document, payload.variables) };
  }

  const door = webSocketDoor(options.httpServer, { path: "/graphql", maxPayload: config.MAX_QUERY_BYTES });
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
        for (const id of [...(ctx.extra.operations?.keys() ?? [])]) ended(ctx.extra, id, "connection closed");
      },
      async onSubscribe(ctx, id, payload) {
        const connection = ctx.extra.connection!;
        const operation = new SocketOperation(requestIdFrom(extensionRequestId(payload.extensions)), logger);
        operation.operationName = payload.operationName ?? undefined;
        operation.subscriptions = ctx.subscriptions;
        (ctx.extra.operations ??= new Map()).set(id, operation);
        if (Object.keys(ctx.subscriptions).length > config.MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          metrics?.rateLimited("ws", "operations_per_connection");
          return [
            new GraphQLError(`At most ${config.MAX_SUBSCRIPTIONS_PER_CONNECTION} operations at once on one connection`, {
              extensions: { code: "RATE_LIMITED" },
            }),
          ];
        }
        const decision = await options.rateLimiter.consume(rateKeyOf(connection.principal, undefined));
        if (!decision.allowed) {
          metrics?.rateLimited("ws", "requests");
          return [rateLimited(decision)];
        }
        // Trusted documents: the listed document's text is checked here; the runtime runs it by id.
        const trusted = options.trusted ? socketOperation(options.trusted, payload) : undefined;
        if (trusted instanceof GraphQLError) return [trusted];
        const checked = checkSubscription(await runtime.getSchema(), trusted ? { ...payload, query: trusted.text } : payload, operation);
        if (Array.isArray(checked)) return checked;
        const args = (await hive.onSubscribe!(ctx, id, (trusted?.payload ?? payload) as typeof payload)) as ExecutionArgs;
        const context = args.contextValue as SocketContext;
        context.mgResumes = checked.resumes;
        context.requestId = operation.requestId;
        context.mgSubscription = checked.subscription;
        if (checked.subscription) {
          const socket = ctx.extra.socket;
          // graphql-ws's `next` message, its fields in the order graphql-ws writes them.
          const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
          context.mgDirect = {
            ready: () => socket.readyState === socket.OPEN && socket.bufferedAmount === 0,
            send(payload) {
              operation.events += 1;
              metrics?.subscriptionEvent();
              socket.send(`${prefix}${payload}}`);
            },
          };
        }
        return args;
      },
      execute: traceOperation ? (args) => traced(args, () => hive.execute!(args)) : hive.execute,
      subscribe(args) {
        const context = args.contextValue as SocketContext;
        const { query, documentId, operationName, variables } = context.params ?? {};
        const key = JSON.stringify([context.principal, query ?? documentId, operationName ?? null, variables ?? null]);
        return options.shared.subscribe(
          key,
          context.mgResumes ?? false,
          args.contextValue as object,
          async (startAfter) => {
            const own = startAfter ? { ...args, contextValue: { ...(args.contextValue as object), mgStartAfter: startAfter } } : args;
            return (await traced(own, () => hive.subscribe!(own))) as AsyncIterableIterator<ExecutionResult> | ExecutionResult;
          },
          context.mgDirect,
        );
      },
      onNext(ctx, id, _payload, args, result) {
        const operation = ctx.extra.operations?.get(id);
        if (operation) operation.events += 1;
        if (metrics && (args.contextValue as SocketContext).mgSubscription) metrics.subscriptionEvent();
        const { errors, ...rest } = result as ExecutionResult;
        return (errors ? { ...rest, errors: formatted(errors, operation) } : rest) as FormattedExecutionResult;
      },
      onError(ctx, id, _payload, errors) {
        const answer = formatted(errors, ctx.extra.operations?.get(id));
        ended(ctx.extra, id, "error");
        return answer;
      },
      onComplete(ctx, id) {
        ended(ctx.extra, id, socketOperationEnding(ctx.extra.operations?.get(id)?.subscriptions, ctx.subscriptions, id));
      },
    },
    door.wss,
    config.WS_KEEPALIVE_MS,
  );

  return {
    get connections() {
      return connections.size;
    },
    async drain() {
      connections.stop();
      await door.drain(CLOSE_SERVICE_RESTART, "Gateway restarting: reconnect and resume with `after`", () => server.dispose());
    },
  };
}
