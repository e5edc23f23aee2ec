import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { extractTraceContext, traceHeaders } from "./context.ts";
import { setupTracing, setupTracingFromConfig, tracerFor, tracingEnabled, type Tracing } from "./setup.ts";

const logger = createLogger("silent", "test");
const config = (env: Record<string, string>) => loadConfig(env, { allowGeneratedSecret: true });
let tracing: Tracing | undefined;

afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

describe("tracing's switch", () => {
  it("is off unless an OTLP endpoint is set, and OTEL_SDK_DISABLED wins", () => {
    expect(setupTracingFromConfig(config({}), "moneygraph", logger)).toBeUndefined();
    expect(
      setupTracingFromConfig(
        config({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "TRUE" }),
        "moneygraph",
        logger,
      ),
    ).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    expect(tracerFor("x")).toBeUndefined();
    expect(traceHeaders()).toEqual({});
    expect(() => config({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrowError(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it("turns on with OTEL_EXPORTER_OTLP_TRACES_ENDPOINT too, once per process, and off again", async () => {
    tracing = setupTracingFromConfig(config({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" }), "moneygraph", logger);
    expect(tracing).toBeDefined();
    expect(tracingEnabled()).toBe(true);
    expect(() => setupTracing({ serviceName: "again", exporter: new InMemorySpanExporter() })).toThrowError(/already set up/);
    await tracing!.shutdown();
    tracing = undefined;
    expect(tracingEnabled()).toBe(false);
  });

  it("names the service, propagates W3C trace context only, and exports through the redaction", async () => {
    const exporter = new InMemorySpanExporter();
    tracing = setupTracing({ serviceName: "moneygraph-test", exporter, batching: false });
    const incoming = extractTraceContext({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", baggage: "k=v" })!;
    expect(trace.getSpanContext(incoming)?.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(propagation.getBaggage(incoming)).toBeUndefined();
    expect(extractTraceContext({ authorization: "Bearer x" })).toBeUndefined();

    const span = tracerFor("test")!.startSpan("work", { attributes: { "http.url": "http://x/graphql?variables=secret" } }, incoming);
    const headers = context.with(trace.setSpan(incoming, span), () => traceHeaders());
    expect(headers["traceparent"]).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01`);
    span.end();

    const [exported] = exporter.getFinishedSpans();
    expect(exported!.resource.attributes["service.name"]).toBe("moneygraph-test");
    expect(exported!.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(exported!.attributes["http.url"]).toBe("http://x/graphql");
  });
});
