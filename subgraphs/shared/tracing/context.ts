// Trace context across our own hops (W3C `traceparent`, through the global propagator), and the
// one place new spans look for their parent.
//
//   - HTTP: Hive's plugin injects the gateway's context into its subgraph fetches; the
//     authenticator's lookup uses `traceHeaders`.
//   - graphql-ws: the carrier is the subscribe message's `extensions` (gateway → subgraph, and a
//     client → gateway per operation) or a connection's `connectionParams` (client → gateway).
//
// A subgraph's HTTP request runs in a request scope (subgraph.ts): its middleware starts the
// request's span, the Apollo plugin then starts the operation's span inside it, and statements
// run by resolvers should be children of the latter. A plugin cannot make its span the active
// context for the resolvers that run after its hook returns, so the scope holds a mutable slot
// the plugin sets and `parentContext` reads.

import { context, createContextKey, propagation, ROOT_CONTEXT, trace, type Context } from "@opentelemetry/api";
import { tracingEnabled } from "./setup.ts";

const SCOPE = createContextKey("moneygraph request scope");

interface Scope {
  current: Context;
}

/** The context a new span starts under: the request scope's innermost span, else the active one. */
export function parentContext(): Context {
  const active = context.active();
  const scope = active.getValue(SCOPE) as Scope | undefined;
  return scope ? scope.current : active;
}

/** Runs `fn` in a request scope whose spans start under `ctx` until `enterScope` says otherwise. */
export function withScope<T>(ctx: Context, fn: () => T): T {
  const scope: Scope = { current: ctx };
  return context.with(ctx.setValue(SCOPE, scope), fn);
}

/** Makes `ctx` the parent of the active request scope's new spans; returns how to undo it. */
export function enterScope(ctx: Context): () => void {
  const scope = context.active().getValue(SCOPE) as Scope | undefined;
  if (!scope) return () => {};
  const previous = scope.current;
  scope.current = ctx;
  return () => {
    scope.current = previous;
  };
}

/** The active trace context as W3C headers (`traceparent`, `tracestate`); empty when tracing is off. */
export function traceHeaders(ctx?: Context): Record<string, string> {
  if (!tracingEnabled()) return NONE;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx ?? parentContext(), carrier);
  return carrier;
}

const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The trace context a carrier (headers, `extensions`, `connectionParams`) names, if it names one. */
export function extractTraceContext(carrier: unknown, base: Context = ROOT_CONTEXT): Context | undefined {
  if (!carrier || typeof carrier !== "object") return undefined;
  const fields = carrier as Record<string, unknown>;
  if (typeof fields["traceparent"] !== "string") return undefined;
  const extracted = propagation.extract(base, fields);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}
