// The gateway's spans: Hive Gateway's own OpenTelemetry plugin (@graphql-hive/plugin-opentelemetry),
// installed only when tracing is on (subgraphs/shared/tracing/setup.ts registers the provider).
//
// Over HTTP it does everything: the request's span (continuing a client's `traceparent`), the
// GraphQL phases, one span per subgraph call and per upstream fetch, and `traceparent` on every
// subgraph fetch. Its defaults record no header and no variable; documents and URLs are redacted
// on export (tracing/redact.ts). Only /graphql is traced (not health checks).
//
// graphql-ws operations bypass Yoga's HTTP handling, where the plugin starts its request and
// operation spans, and without those it makes none of the others. `socketOperationTracer` calls
// the plugin's own `request` and `operation` instrumentation around each operation, as Yoga does
// for HTTP, under the client's trace context from the subscribe message's
// `extensions.traceparent` (else the connection's `connectionParams.traceparent`). Upstream, our
// graphql-ws transport carries the context in its subscribe messages (transport/ws.ts).

import { useOpenTelemetry, type OpenTelemetryPlugin } from "@graphql-hive/plugin-opentelemetry";
import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { extractTraceContext } from "../../subgraphs/shared/tracing/context.ts";

export function useTracing(options: { readonly graphqlEndpoint: string }): OpenTelemetryPlugin {
  return useOpenTelemetry({
    // A client's traceparent continues its trace; ours goes to every subgraph fetch.
    inheritContext: true,
    propagateContext: true,
    traces: {
      spans: {
        http: ({ request }) => new URL(request.url, "http://localhost").pathname === options.graphqlEndpoint,
      },
    },
  });
}

/** What an operation over the gateway's socket carries in its context (ws-server.ts). */
export interface SocketOperationContext {
  readonly request: Request;
  readonly params?: { readonly extensions?: unknown } | undefined;
  readonly connectionParams?: unknown;
}

export type SocketOperationTracer = <T>(operationContext: SocketOperationContext, run: () => Promise<T> | T) => Promise<T>;

type Hook<P> = ((payload: P, wrapped: () => Promise<void> | void) => Promise<void> | void) | undefined;

/** Runs `run` inside an instrumentation hook (as envelop's getInstrumented does) and returns its result. */
async function around<P, T>(hook: Hook<P>, payload: P, run: () => Promise<T> | T): Promise<T> {
  if (!hook) return run();
  let result: Promise<T> | undefined;
  await hook(payload, () => {
    result = Promise.resolve().then(run);
    return result.then(() => undefined);
  });
  return result ?? run();
}

export function socketOperationTracer(plugin: OpenTelemetryPlugin): SocketOperationTracer {
  const instrumentation = plugin.instrumentation;
  const onRequest = instrumentation?.request as Hook<{ request: Request }>;
  const onOperation = instrumentation?.operation as Hook<{ context: SocketOperationContext; request: Request }>;
  return (operationContext, run) => {
    const { request } = operationContext;
    const parent =
      extractTraceContext(operationContext.params?.extensions) ?? extractTraceContext(operationContext.connectionParams) ?? ROOT_CONTEXT;
    return context.with(parent, () =>
      around(onRequest, { request }, () => {
        // The plugin names it as an HTTP request; it is one operation on a socket.
        trace.getActiveSpan()?.updateName(`graphql-ws ${new URL(request.url, "http://localhost").pathname}`);
        return around(onOperation, { context: operationContext, request }, run);
      }),
    );
  };
}
