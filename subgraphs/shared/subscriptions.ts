// graphql-ws on a subgraph's /graphql, for the gateway only: the same port and path as HTTP.
//
// One gateway socket multiplexes many callers' subscriptions, so trust is checked twice: the
// socket must be opened by the gateway (its own signed principal in connectionParams), and each
// operation must carry its caller's signed principal in `extensions.signedPrincipal`. Anything
// else is refused before GraphQL runs, as over HTTP.
//
// A subscription outlives its subscribe message, so the socket must stay signed: the gateway
// sends a freshly signed graphql-ws ping every third of SIGNATURE_MAX_SKEW_MS, and a socket whose
// newest gateway signature is older than that is closed (4403), ending its subscriptions. Someone
// replaying a captured connection_init and subscribe can therefore keep what they replayed for no
// longer than the captured signatures' own lifetime.
//
// Each operation runs under the request id the gateway sent in its `extensions.requestId` (not
// signed: it only labels logs), bound to the logger of its context and of its errors; at debug
// level its end is one line.
// With tracing on, each operation's set-up is a span continuing the gateway's trace (the
// subscribe message's `extensions.traceparent`; tracing/subgraph.ts).

import type { Server } from "node:http";
import { context } from "@opentelemetry/api";
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from "graphql";
import type { FormattedExecutionResult } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { WebSocket } from "ws";
import { PRINCIPAL_EXTENSION, verifyPrincipal } from "./auth/signature.ts";
import { createContext, type Dependencies, type SubgraphContext } from "./context.ts";
import type { FormatError } from "./graphql/errors.ts";
import { findMalformedArgument, malformedTextError } from "./graphql/text-input.ts";
import type { Logger } from "./logger.ts";
import { extensionRequestId, requestIdFrom, RequestScope, socketOperationEnding } from "./request-id.ts";
import type { SocketOperationSpan, SubgraphTracing } from "./tracing/subgraph.ts";
import { webSocketDoor } from "./websocket-door.ts";

export interface SubscriptionServerOptions {
  readonly httpServer: Server;
  readonly schema: GraphQLSchema;
  readonly deps: Dependencies;
  readonly logger: Logger;
  readonly formatError: FormatError;
  /** Present when tracing is on. */
  readonly tracing?: SubgraphTracing | undefined;
}

export interface SubscriptionServer {
  /** Closes every socket (1012: the gateway reconnects and resumes) and stops accepting new ones. */
  drain(): Promise<void>;
}

const CLOSE_SERVICE_RESTART = 1012;
/** graphql-ws's "Forbidden": a socket that is not (or no longer) the gateway's. */
const CLOSE_FORBIDDEN = 4403;

function signedHeaders(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object") return {};
  const headers: Record<string, string> = {};
  for (const [name, field] of Object.entries(value)) if (typeof field === "string") headers[name] = field;
  return headers;
}

/** A socket's newest gateway signature, and the timer that closes the socket when it is too old. */
interface SocketSignature {
  signedAt: number;
  expiry: NodeJS.Timeout;
}

/** One operation on a socket, for its logs. */
interface Operation {
  readonly scope: RequestScope;
  readonly startedAt: number;
  events: number;
  /** graphql-ws's table of the socket's operations when this one started (see onComplete). */
  readonly subscriptions: object;
}

// A type alias, not an interface: graphql-ws wants an index-signature-compatible record.
type Extra = {
  signature?: SocketSignature;
  operations?: Map<string, Operation>;
};

function unauthenticated(): GraphQLError {
  return new GraphQLError("Subgraphs are reachable only through the gateway", { extensions: { code: "UNAUTHENTICATED" } });
}

/**
 * graphql-js runs every event of a subscription with the operation's one context, so DataLoaders
 * would cache across events and serve yesterday's balance. Each event gets a fresh context.
 */
async function subscribeWithFreshContexts(args: ExecutionArgs) {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const context = args.contextValue as SubgraphContext;
  const events = stream[Symbol.asyncIterator]();
  // Not an async generator: one waiting for the next event could not be returned (unsubscribed)
  // until an event came. return() goes straight to the source, which ends at once.
  const perEvent: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => perEvent,
    async next() {
      const step = await events.next();
      if (step.done) return { done: true, value: undefined };
      const value = await execute({
        ...args,
        rootValue: step.value,
        contextValue: createContext(context.principal, context.deps, context.scope),
      });
      return { done: false, value: value as ExecutionResult };
    },
    async return() {
      await events.return?.();
      return { done: true, value: undefined };
    },
  };
  return perEvent;
}

/** Runs an operation's execute or subscribe in its span (when it has one), which ends when it returns. */
function inSpanOf<R>(spans: WeakMap<object, SocketOperationSpan>, run: (args: ExecutionArgs) => Promise<R> | R) {
  return async (args: ExecutionArgs): Promise<R> => {
    const span = spans.get(args.contextValue as object);
    if (!span) return run(args);
    spans.delete(args.contextValue as object);
    try {
      const result = await context.with(span.context, () => run(args));
      span.end((result as ExecutionResult | undefined)?.errors);
      return result;
    } catch (error) {
      span.end();
      throw error;
    }
  };
}

export function serveSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { deps, schema, logger, tracing } = options;
  const { gatewaySecret, SIGNATURE_MAX_SKEW_MS: maxSkew } = deps.config;
  const door = webSocketDoor(options.httpServer, { path: "/graphql", maxPayload: 2 * 1024 * 1024 });

  const format = (errors: readonly GraphQLError[], operation: Operation | undefined) =>
    errors.map((error) => options.formatError(error.toJSON(), error, operation?.scope));
  const end = (extra: Extra, id: string, how: string) => {
    const operation = extra.operations?.get(id);
    if (!operation) return;
    extra.operations!.delete(id);
    if (!logger.isLevelEnabled("debug")) return;
    const durationMs = Math.round((performance.now() - operation.startedAt) * 10) / 10;
    operation.scope.logger.debug({ durationMs, events: operation.events, ended: how }, "subgraph socket operation");
  };
  /** Operations accepted and not yet started, with their spans (tracing on). */
  const spans = new WeakMap<object, SocketOperationSpan>();

  /** Keeps the socket open until `signedAt` is older than the allowed skew (a newer one extends it). */
  const keepSignedUntilStale = (extra: Extra & { socket: WebSocket }, signedAt: number) => {
    if (extra.signature && extra.signature.signedAt >= signedAt) return;
    clearTimeout(extra.signature?.expiry);
    const expiry = setTimeout(
      () => {
        logger.warn("closing a socket whose gateway signature expired");
        extra.socket.close(CLOSE_FORBIDDEN, "Gateway signature expired");
      },
      signedAt + maxSkew - Date.now(),
    );
    expiry.unref();
    extra.signature = { signedAt, expiry };
  };
  const gatewaySignature = (params: unknown) => {
    const verified = verifyPrincipal(signedHeaders(params), gatewaySecret, maxSkew, undefined);
    if (!verified.ok) return verified;
    return verified.principal.kind === "gateway" ? verified : { ok: false as const, reason: "not the gateway" };
  };

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      onConnect(ctx) {
        const verified = gatewaySignature(ctx.connectionParams);
        if (verified.ok) {
          keepSignedUntilStale(ctx.extra, verified.signedAt);
          return true;
        }
        logger.warn({ reason: verified.reason, ip: ctx.extra.request.socket.remoteAddress }, "refused unsigned socket");
        return false;
      },
      // The gateway's renewals; anything else pings as usual and renews nothing.
      onPing(ctx, payload) {
        if (!ctx.acknowledged) return;
        const verified = gatewaySignature(payload);
        if (verified.ok) keepSignedUntilStale(ctx.extra, verified.signedAt);
      },
      onClose(ctx) {
        clearTimeout(ctx.extra.signature?.expiry);
        for (const id of [...(ctx.extra.operations?.keys() ?? [])]) end(ctx.extra, id, "connection closed");
      },
      onSubscribe(ctx, id, payload) {
        const scope = new RequestScope(requestIdFrom(extensionRequestId(payload.extensions)), logger);
        const operation: Operation = { scope, startedAt: performance.now(), events: 0, subscriptions: ctx.subscriptions };
        (ctx.extra.operations ??= new Map()).set(id, operation);
        const span = tracing?.socketOperation(payload.extensions);
        const refuse = (errors: readonly GraphQLError[]) => {
          span?.end(errors);
          return [...errors];
        };
        // Signed for this operation: the query and variables it came with, no others.
        const verified = verifyPrincipal(signedHeaders(payload.extensions?.[PRINCIPAL_EXTENSION]), gatewaySecret, maxSkew, payload);
        if (!verified.ok) return refuse([unauthenticated()]);
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return refuse([error as GraphQLError]);
        }
        const errors = validate(schema, document, specifiedRules);
        if (errors.length > 0) return refuse(errors);
        const malformed = findMalformedArgument(document, payload.variables);
        if (malformed) return refuse([malformedTextError(malformed)]);
        const contextValue = createContext(verified.principal, deps, operation.scope);
        if (span) {
          span.describe(document, payload.operationName, payload.query);
          spans.set(contextValue, span);
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      subscribe: tracing ? inSpanOf(spans, subscribeWithFreshContexts) : subscribeWithFreshContexts,
      ...(tracing ? { execute: inSpanOf(spans, execute) } : {}),
      // Errors leave the subgraph exactly as over HTTP: typed codes kept, internals masked.
      onNext(ctx, id, _payload, _args, result): FormattedExecutionResult {
        const operation = ctx.extra.operations?.get(id);
        if (operation) operation.events += 1;
        const { errors, ...rest } = result;
        return errors ? { ...rest, errors: format(errors, operation) } : rest;
      },
      onError(ctx, id, _payload, errors) {
        const formatted = format(errors, ctx.extra.operations?.get(id));
        end(ctx.extra, id, "error");
        return formatted;
      },
      onComplete(ctx, id) {
        end(ctx.extra, id, socketOperationEnding(ctx.extra.operations?.get(id)?.subscriptions, ctx.subscriptions, id));
      },
    },
    door.wss,
    deps.config.WS_KEEPALIVE_MS,
  );

  return {
    drain: () => door.drain(CLOSE_SERVICE_RESTART, "Service restart", () => server.dispose()),
  };
}
