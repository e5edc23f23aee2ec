// Spans for SQL: one per statement, one per transaction (its statements inside it), made by the
// Database wrapper (database.ts for raw SQL, observe.ts for Prisma's statements) through the
// OpenTelemetry API. Not @opentelemetry/instrumentation-pg: a require hook, which does not see
// the imports of code running as ESM under tsx, and which knows nothing of PGlite.
//
// A statement is traced only inside a traced request, while its span is still open: background
// workers' polling and start-up migrations would otherwise be a stream of one-span traces, and a
// long-lived resource created during a request (the balances event hub's poll timer and
// listening connection, set up by the first subscription) carries that request's context into
// everything it does later. Tracing off costs one variable read.
//
// Attributes: db.system.name=postgresql, db.operation.name (the statement's first keyword),
// db.query.text (the SQL as written: parameterised, `$1`…; parameter values are never recorded:
// they hold amounts, bank numbers and key digests), and on failure db.response.status_code (the
// SQLSTATE) and error.type, never the error's message (Postgres quotes the value it refused).

import { context, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from "@opentelemetry/semantic-conventions";
import { parentContext } from "../tracing/context.ts";
import { ATTR_COMPONENT, tracerFor, tracingEnabled } from "../tracing/setup.ts";

const SCOPE = "moneygraph-database";

/** Long scripts (migrations) are recorded up to this many characters. */
const MAX_QUERY_TEXT = 4_096;

/** The tracer and the parent when this statement should be traced. */
function tracing(parent?: Context): { tracer: Tracer; parent: Context } | undefined {
  if (!tracingEnabled()) return undefined;
  const ctx = parent ?? parentContext();
  if (!trace.getSpan(ctx)?.isRecording()) return undefined;
  const tracer = tracerFor(SCOPE);
  return tracer && { tracer, parent: ctx };
}

/** The statement's operation: its first keyword (SELECT, INSERT, WITH, …). */
export function operationOf(sql: string): string {
  const match = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(sql);
  return match ? match[1]!.toUpperCase() : "SQL";
}

function settle<T>(span: Span, running: Promise<T>): Promise<T> {
  return running.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === "string") span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
      span.setAttribute(ATTR_ERROR_TYPE, typeof code === "string" ? code : ((error as Error | null)?.name ?? "Error"));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw error;
    },
  );
}

/** Runs one statement (or script) in a span of its own. `parent`: a transaction's span, when not the active one. */
export function traceStatement<T>(sql: string, run: () => Promise<T>, parent?: Context): Promise<T> {
  const traced = tracing(parent);
  if (!traced) return run();
  const operation = operationOf(sql);
  const span = traced.tracer.startSpan(
    operation,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_COMPONENT]: "database",
        [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
        [ATTR_DB_OPERATION_NAME]: operation,
        [ATTR_DB_QUERY_TEXT]: sql.length > MAX_QUERY_TEXT ? `${sql.slice(0, MAX_QUERY_TEXT)}…` : sql,
      },
    },
    traced.parent,
  );
  return settle(span, run());
}

function startTransactionSpan(traced: { tracer: Tracer; parent: Context }): Span {
  return traced.tracer.startSpan(
    "transaction",
    { kind: SpanKind.CLIENT, attributes: { [ATTR_COMPONENT]: "database", [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL } },
    traced.parent,
  );
}

/** Runs a transaction in a span whose children are its statements (BEGIN … COMMIT are the span). */
export function traceTransaction<T>(run: () => Promise<T>): Promise<T> {
  const traced = tracing();
  if (!traced) return run();
  const span = startTransactionSpan(traced);
  return settle(span, context.with(trace.setSpan(traced.parent, span), run));
}

/**
 * A transaction whose statements arrive through an object rather than in one callback (Prisma's
 * interactive transactions): the span starts now and ends with `end`; statements name `context`
 * as their parent. Undefined when not traced.
 */
export function openTransactionSpan(): { context: Context; end(failed: boolean): void } | undefined {
  const traced = tracing();
  if (!traced) return undefined;
  const span = startTransactionSpan(traced);
  return {
    context: trace.setSpan(traced.parent, span),
    end(failed) {
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}
