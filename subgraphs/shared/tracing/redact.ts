// What leaves the process in a span, whoever made it (Hive's gateway plugin included): nothing a
// client sent as a value. Applied to every span on its way to the exporter:
//
//   - GraphQL documents (`graphql.document`) with their literals hidden (strings "", numbers 0):
//     a client may write an amount or a bank number inline instead of in a variable. A document
//     that does not parse is not recorded at all.
//   - URLs (`http.url`, `url.full`) without their query string: a GET carries its query and
//     variables there.
//   - Error messages dropped (the span's status message, `exception.message` and
//     `exception.stacktrace` of exception events): GraphQL's and Postgres's messages quote the
//     value they refused ("Variable "$amount" got invalid value …"). The error codes stay.
//
// Headers are never recorded (Hive's plugin records none, ours neither), nor are variables.

import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter, TimedEvent } from "@opentelemetry/sdk-trace-base";
import type { Attributes } from "@opentelemetry/api";
import { Kind, parse, print, visit } from "graphql";
import { LRUCache } from "lru-cache";

const DOCUMENT = "graphql.document";
const URL_KEYS = ["http.url", "url.full"];
const DROPPED_KEYS = ["url.query", "exception.message", "exception.stacktrace"];

const hidden = new LRUCache<string, string>({ max: 1_000 });

/** The document with every string and number literal replaced ("" and 0); undefined when it does not parse. */
export function hideLiterals(source: string): string | undefined {
  const known = hidden.get(source);
  if (known !== undefined) return known || undefined;
  let result = "";
  try {
    result = print(
      visit(parse(source, { noLocation: true }), {
        StringValue: () => ({ kind: Kind.STRING, value: "" }),
        IntValue: () => ({ kind: Kind.INT, value: "0" }),
        FloatValue: () => ({ kind: Kind.FLOAT, value: "0" }),
      }),
    );
  } catch {
    // not a document: nothing of it is recorded
  }
  hidden.set(source, result);
  return result || undefined;
}

function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

export function redactAttributes(attributes: Attributes): Attributes {
  let copy: Attributes | undefined;
  const set = (key: string, value: Attributes[string]) => {
    copy ??= { ...attributes };
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  };
  const document = attributes[DOCUMENT];
  if (document !== undefined) set(DOCUMENT, typeof document === "string" ? hideLiterals(document) : undefined);
  for (const key of URL_KEYS) {
    const url = attributes[key];
    if (url !== undefined) set(key, typeof url === "string" ? withoutQuery(url) : undefined);
  }
  for (const key of DROPPED_KEYS) if (key in attributes) set(key, undefined);
  return copy ?? attributes;
}

function redactEvent(event: TimedEvent): TimedEvent {
  return event.attributes ? { ...event, attributes: redactAttributes(event.attributes) } : event;
}

export function redactSpan(span: ReadableSpan): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code },
    attributes: redactAttributes(span.attributes),
    links: span.links,
    events: span.events.map(redactEvent),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** An exporter that hands `inner` the spans redacted. */
export class RedactingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans.map(redactSpan), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
