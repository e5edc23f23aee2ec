// The gateway's graphql-ws transport to subgraphs (used for subscriptions), in place of
// @graphql-mesh/transport-ws: that one takes connectionParams once, as a template, while ours
// are signed at every (re)connect, and every operation carries its caller's signature for
// exactly what is sent (subgraphs/shared/subscriptions.ts checks both).
//
// A subgraph closes a socket whose gateway signature is older than SIGNATURE_MAX_SKEW_MS (so a
// replayed socket dies with its captured signature), so this one renews it: a graphql-ws ping
// carrying a fresh signature every third of that time.
//
// Each operation carries its request id in the subscribe message's `extensions.requestId` (not
// signed: it only labels the subgraph's logs).
//
// One socket per subgraph carries every caller's subscriptions. It never retries by itself:
// graphql-ws would re-send the old subscribe messages (stale signatures, stale positions), so a
// lost socket ends its operations and the resumable layer above subscribes again.
//
// With tracing on, each subscribe message carries the caller's trace context in `extensions`
// (`traceparent`, `tracestate`: the context active when the operation is sent, i.e. Hive's
// subgraph execution span), which the subgraph continues (subgraphs/shared/subscriptions.ts).

import type { TransportGetSubgraphExecutorOptions } from "@graphql-mesh/transport-common";
import { defaultPrintFn } from "@graphql-mesh/transport-common";
import { DisposableSymbols } from "@graphql-hive/gateway-runtime";
import { getOperationAST, type DocumentNode, type ExecutionResult } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { Principal } from "../../subgraphs/shared/auth/principal.ts";
import { PRINCIPAL_EXTENSION, signPrincipal } from "../../subgraphs/shared/auth/signature.ts";
import { REQUEST_ID_EXTENSION } from "../../subgraphs/shared/request-id.ts";
import { traceHeaders } from "../../subgraphs/shared/tracing/context.ts";

export interface SignedWsOptions {
  readonly gatewaySecret: string;
  readonly keepAliveMs: number;
  /** SIGNATURE_MAX_SKEW_MS: how long the subgraph honours the socket's newest signature. */
  readonly signatureMaxSkewMs: number;
}

/** What the gateway sends one subgraph over its socket. */
export interface UpstreamRequest {
  readonly query: string;
  readonly operationName?: string | undefined;
  readonly variables?: Record<string, unknown> | undefined;
}

export interface UpstreamSocket {
  /** One operation as `principal`: a subscription's events, or a query's one result. */
  iterate(principal: Principal, request: UpstreamRequest, requestId?: string): AsyncIterableIterator<ExecutionResult>;
  dispose(): Promise<void>;
}

export function wsUrlOf(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):\/\//, "ws$1://");
}

export function upstreamSocket(url: string, options: SignedWsOptions): UpstreamSocket {
  const signature = () => signPrincipal({ kind: "gateway" }, options.gatewaySecret, undefined);
  let renewal: NodeJS.Timeout | undefined;
  const client: Client = createClient({
    url: wsUrlOf(url),
    webSocketImpl: WebSocket,
    lazy: true,
    lazyCloseTimeout: 3_000,
    retryAttempts: 0,
    keepAlive: options.keepAliveMs,
    // Evaluated at each connect: a fresh timestamp for the socket's own (gateway) signature.
    connectionParams: signature,
    on: {
      connected: (socket) => {
        clearInterval(renewal);
        const ws = socket as WebSocket;
        renewal = setInterval(
          () => {
            if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ping", payload: signature() }));
          },
          Math.max(1, Math.floor(options.signatureMaxSkewMs / 3)),
        );
        renewal.unref();
      },
      closed: () => clearInterval(renewal),
    },
  });
  return {
    iterate(principal, request, requestId) {
      const payload = { query: request.query, operationName: request.operationName, variables: request.variables ?? {} };
      const signed = signPrincipal(principal, options.gatewaySecret, payload);
      const extensions = { [PRINCIPAL_EXTENSION]: signed, ...(requestId ? { [REQUEST_ID_EXTENSION]: requestId } : {}), ...traceHeaders() };
      return client.iterate({ ...payload, extensions }) as AsyncIterableIterator<ExecutionResult>;
    },
    dispose: async () => {
      clearInterval(renewal);
      await client.dispose();
    },
  };
}

/** The principal a plan's subgraph request runs as (set by the authentication plugin). */
export function principalOf(context: unknown): Principal | undefined {
  return (context as { principal?: Principal } | undefined)?.principal;
}

/** The request id a plan's subgraph request carries (set by plugins/request-log.ts, or the socket server). */
export function requestIdOf(context: unknown): string | undefined {
  return (context as { requestId?: string } | undefined)?.requestId;
}

export interface ExecutionRequestLike {
  readonly document: DocumentNode;
  readonly operationName?: string | undefined;
  readonly variables?: Record<string, unknown> | undefined;
  readonly context?: unknown;
}

/** Prints a plan's subgraph request as it goes on the wire. */
export function upstreamRequestOf(request: ExecutionRequestLike): UpstreamRequest {
  return { query: defaultPrintFn(request.document), operationName: request.operationName, variables: request.variables };
}

export type SubscriptionWrapper = (
  socket: UpstreamSocket,
  request: ExecutionRequestLike,
  subgraphName: string,
) => AsyncIterableIterator<ExecutionResult>;

/**
 * The transport ("ws" kind): subscriptions go through `wrap` (resumption, flow control), other
 * operations are sent as they are.
 */
export function signedWsTransport(options: SignedWsOptions & { readonly wrap: SubscriptionWrapper }) {
  return {
    getSubgraphExecutor({ transportEntry, subgraphName }: TransportGetSubgraphExecutorOptions) {
      if (!transportEntry.location) throw new Error(`no location for subgraph ${subgraphName}`);
      const socket = upstreamSocket(transportEntry.location, options);
      const executor = (request: ExecutionRequestLike) => {
        const principal = principalOf(request.context);
        if (!principal) throw new Error("subgraph call without a principal");
        const operation = getOperationAST(request.document, request.operationName);
        if (operation?.operation === "subscription") return options.wrap(socket, request, subgraphName);
        const results = socket.iterate(principal, upstreamRequestOf(request), requestIdOf(request.context));
        return results.next().then(({ value }) => value);
      };
      Object.defineProperty(executor, DisposableSymbols.asyncDispose, { value: () => socket.dispose() });
      return executor;
    },
  };
}
