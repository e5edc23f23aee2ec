import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { hideLiterals, redactSpan } from "./redact.ts";

function span(overrides: Partial<ReadableSpan>): ReadableSpan {
  const context = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
  return {
    name: "graphql.execute",
    kind: SpanKind.INTERNAL,
    spanContext: () => context,
    startTime: [1, 0],
    endTime: [1, 5],
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    links: [],
    events: [],
    duration: [0, 5],
    ended: true,
    resource: resourceFromAttributes({ "service.name": "test" }),
    instrumentationScope: { name: "gateway" },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}

describe("what a span may record", () => {
  it("keeps a document's shape and hides its string and number literals", () => {
    const source = `mutation { createTopup(input: { accountId: "acct_1", amount: "1050", currency: USD, rate: 1.5, tags: ["a", 12], note: """block""" }, idempotencyKey: "k") { id } }`;
    expect(hideLiterals(source)).toBe(
      `mutation {\n  createTopup(\n    input: {accountId: "", amount: "", currency: USD, rate: 0, tags: ["", 0], note: ""}\n    idempotencyKey: ""\n  ) {\n    id\n  }\n}`,
    );
    expect(hideLiterals("query ($id: ID!, $on: Boolean = true) { account(id: $id) @include(if: $on) { id } }")).toContain(
      "$on: Boolean = true",
    );
    expect(hideLiterals("{ account(id: 4")).toBeUndefined();
  });

  it("redacts documents, URLs' query strings, error messages and the status message, and nothing else", () => {
    const redacted = redactSpan(
      span({
        attributes: {
          "graphql.document": '{ account(id: "acct_secret") { id } }',
          "http.url": "http://gw/graphql?query=x&variables=%7B%7D",
          "graphql.operation.name": "Q",
        },
        status: { code: SpanStatusCode.ERROR, message: 'Variable "$amount" got invalid value "99"' },
        events: [
          {
            name: "exception",
            time: [1, 1],
            attributes: {
              "exception.type": "GraphQLError",
              "exception.message": "invalid value 99",
              "exception.stacktrace": "GraphQLError: invalid value 99\n at x",
            },
          },
        ],
      }),
    );
    expect(redacted.attributes).toEqual({
      "graphql.document": '{\n  account(id: "") {\n    id\n  }\n}',
      "http.url": "http://gw/graphql",
      "graphql.operation.name": "Q",
    });
    expect(redacted.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(redacted.events).toEqual([{ name: "exception", time: [1, 1], attributes: { "exception.type": "GraphQLError" } }]);
    expect(redacted.spanContext().spanId).toBe("b7ad6b7169203331");
    expect(redactSpan(span({ attributes: { "graphql.document": "{ broken" } })).attributes).toEqual({});
  });
});
