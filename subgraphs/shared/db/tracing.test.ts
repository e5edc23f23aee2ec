import { context, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { setupTracing, tracerFor, type Tracing } from "../tracing/setup.ts";
import { operationOf, traceStatement, traceTransaction } from "./tracing.ts";

let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

describe("a statement's operation name", () => {
  it("is its first keyword, after comments", () => {
    expect(operationOf("SELECT 1")).toBe("SELECT");
    expect(operationOf("\n   insert into t values ($1)")).toBe("INSERT");
    expect(operationOf("-- why\n/* how */ WITH x AS (SELECT 1) UPDATE t SET a = 1")).toBe("WITH");
    expect(operationOf("")).toBe("SQL");
  });
});

describe("statement spans", () => {
  it("are made inside an open span only: not outside a request, not after it ended, not with tracing off", async () => {
    const run = async () => 1;
    const parent = trace.getTracer("any").startSpan("off");
    await context.with(trace.setSpan(context.active(), parent), () => traceStatement("SELECT 1", run));

    const exporter = new InMemorySpanExporter();
    tracing = setupTracing({ serviceName: "test", exporter, batching: false });
    await traceStatement("SELECT 1", run);
    const request = tracerFor("test")!.startSpan("request");
    const inRequest = trace.setSpan(context.active(), request);
    await context.with(inRequest, () => traceTransaction(() => traceStatement("UPDATE t SET a = $1", run)));
    request.end();
    // A timer set up during the request still carries its context.
    await context.with(inRequest, () => traceStatement("SELECT 2", run));

    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(["UPDATE", "transaction", "request"]);
    const [statement, transaction] = spans;
    expect(statement!.parentSpanContext?.spanId).toBe(transaction!.spanContext().spanId);
    expect(transaction!.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(statement!.attributes).toEqual({
      "moneygraph.component": "database",
      "db.system.name": "postgresql",
      "db.operation.name": "UPDATE",
      "db.query.text": "UPDATE t SET a = $1",
    });
  });

  it("record a failure by its SQLSTATE, never its message", async () => {
    const exporter = new InMemorySpanExporter();
    tracing = setupTracing({ serviceName: "test", exporter, batching: false });
    const request = tracerFor("test")!.startSpan("request");
    const refused = Object.assign(new Error('invalid input syntax for type numeric: "12abc"'), { code: "22P02" });
    await expect(
      context.with(trace.setSpan(context.active(), request), () => traceStatement("SELECT $1::numeric", () => Promise.reject(refused))),
    ).rejects.toBe(refused);
    const [statement] = exporter.getFinishedSpans();
    expect(statement!.attributes).toMatchObject({ "db.response.status_code": "22P02", "error.type": "22P02" });
    expect(statement!.status).toEqual({ code: 2 });
  });
});
