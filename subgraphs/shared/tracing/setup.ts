// Tracing's one switch: the process's tracer provider, registered once (setupTracing), or none.
// Everything that makes spans asks `tracerFor` (or `tracingEnabled`) and does nothing when it is
// off: the gateway and the subgraphs install no plugin at all then, and the database wrapper
// pays one variable read per statement.
//
// OpenTelemetry's JS API is global: a provider, a context manager (AsyncLocalStorage, so a span
// started in a request is the parent of the work it awaits) and a propagator (W3C trace context
// only: a client's `baggage` is not carried inward). Registered here rather than through Hive's
// `openTelemetrySetup`, which is the gateway's: it ignores OTEL_TRACES_SAMPLER (its default samples
// every root and ignores the parent's decision, which subgraph processes must follow) and sets
// up its own logger.
//
// Spans are made through the API by our own code (gateway: Hive's plugin; subgraphs: an Apollo
// plugin; SQL: the Database wrapper), not by require-hook auto-instrumentation: the code runs as
// ESM under tsx, where require hooks do not see imports.

import { context, diag, DiagLogLevel, propagation, trace, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { RedactingExporter } from "./redact.ts";

/** Which part of moneygraph made a span: "gateway", a subgraph's name, or "database". */
export const ATTR_COMPONENT = "moneygraph.component";

/** Hive's plugin makes the gateway's spans with a tracer of this name (it ignores any other). */
const GATEWAY_SCOPE = "gateway";

export interface TracingOptions {
  /** The resource's service.name. */
  readonly serviceName: string;
  /** Where spans go; wrapped so that nothing secret leaves (redact.ts). */
  readonly exporter: SpanExporter;
  /** Batch spans (production); false exports each span as it ends (tests). Default true. */
  readonly batching?: boolean;
  /** Where the SDK's own warnings (a collector that does not answer) go. */
  readonly logger?: Logger;
}

export interface Tracing {
  /** Exports what is pending. */
  flush(): Promise<void>;
  /** Exports what is pending and unregisters everything: tracing is off again. */
  shutdown(): Promise<void>;
}

let installed: { provider: BasicTracerProvider; contextManager: AsyncLocalStorageContextManager } | undefined;

export function tracingEnabled(): boolean {
  return installed !== undefined;
}

/** A tracer when tracing is on, else undefined (the caller then does nothing). */
export function tracerFor(scope: string): Tracer | undefined {
  return installed && trace.getTracer(scope);
}

export function setupTracing(options: TracingOptions): Tracing {
  if (installed) throw new Error("tracing is already set up in this process (one tracer provider per process)");
  const exporter = new RedactingExporter(options.exporter);
  const provider = new BasicTracerProvider({
    // The sampler and span limits come from the standard variables (OTEL_TRACES_SAMPLER,
    // default parentbased_always_on: a subgraph follows the gateway's decision).
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [
      {
        // Hive's plugin makes its spans with no word of which part they are from: in the
        // all-in-one process the service name is shared by everything.
        onStart(span) {
          if (span.instrumentationScope.name === GATEWAY_SCOPE) span.setAttribute(ATTR_COMPONENT, "gateway");
        },
        onEnd() {},
        forceFlush: async () => {},
        shutdown: async () => {},
      },
      options.batching === false ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
    ],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (options.logger) {
    const logger = options.logger.child({ component: "opentelemetry" });
    const warn = (message: string, ...args: unknown[]) => logger.warn({ args }, message);
    diag.setLogger({ error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  }
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  installed = { provider, contextManager };
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (installed?.provider !== provider) return;
      installed = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}

/**
 * Tracing as the standard OpenTelemetry variables ask: on when an OTLP endpoint is set (and the
 * SDK is not disabled), exporting OTLP/HTTP in batches. The exporter reads the endpoint, its
 * headers, timeout and compression from the environment itself (OTEL_EXPORTER_OTLP_*).
 */
export function setupTracingFromConfig(config: Config, defaultServiceName: string, logger: Logger): Tracing | undefined {
  if (config.OTEL_SDK_DISABLED) return undefined;
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT && !config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  return setupTracing({ serviceName: config.OTEL_SERVICE_NAME ?? defaultServiceName, exporter: new OTLPTraceExporter(), logger });
}
