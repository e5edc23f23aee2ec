// A subgraph's spans, continuing the gateway's trace (W3C `traceparent` from the request's
// headers, or from a graphql-ws subscribe message's `extensions`):
//
//   `POST /graphql (<subgraph>)`        SERVER   the HTTP request it receives (Express middleware:
//                                                 covers the signature check and body parsing)
//     `graphql.operation <Name|type> (<subgraph>)` its GraphQL operation (Apollo Server plugin);
//                                                 the resolvers' SQL statements are its children
//   `graphql-ws <Name|type> (<subgraph>)` SERVER an operation sent over the gateway's socket: its
//                                                 set-up (a subscription's events are not traced)
//
// Only installed when tracing is on (`subgraphTracing` returns undefined otherwise).

import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from "@opentelemetry/api";
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from "@opentelemetry/semantic-conventions";
import type { RequestHandler } from "express";
import { getOperationAST, type DocumentNode, type GraphQLError, type GraphQLFormattedError } from "graphql";
import { AppError } from "../errors.ts";
import { enterScope, extractTraceContext, parentContext, withScope } from "./context.ts";
import { ATTR_COMPONENT, tracerFor } from "./setup.ts";

// GraphQL's semantic conventions are still incubating: their names, not the package's constants.
export const ATTR_GRAPHQL_OPERATION_NAME = "graphql.operation.name";
export const ATTR_GRAPHQL_OPERATION_TYPE = "graphql.operation.type";
export const ATTR_GRAPHQL_DOCUMENT = "graphql.document";
export const ATTR_GRAPHQL_ERROR_CODES = "graphql.error.codes";
export const ATTR_GRAPHQL_ERROR_COUNT = "graphql.error.count";

export interface SocketOperationSpan {
  /** The context the operation's work runs in (its statements are children of the span). */
  readonly context: Context;
  /** Describes the operation once parsed. */
  describe(document: DocumentNode, operationName: string | null | undefined, source: string): void;
  /** Ends the span, as refused or failed when there are errors. */
  end(errors?: readonly GraphQLError[]): void;
}

export interface SubgraphTracing {
  /** Express middleware for /graphql: the request's span, and a request scope for what runs in it. */
  readonly middleware: RequestHandler;
  /** The operation's span, inside the request's. */
  readonly plugin: ApolloServerPlugin<BaseContext>;
  /** The span of one graphql-ws subscribe message (its `extensions` may carry the trace). */
  socketOperation(extensions: unknown): SocketOperationSpan;
}

/** An error's code as the client will see it: an AppError's own, else its extensions'. */
function codeOf(error: GraphQLError | GraphQLFormattedError): string {
  const original = "originalError" in error ? error.originalError : undefined;
  if (original instanceof AppError) return original.code;
  return String(error.extensions?.["code"] ?? "INTERNAL_SERVER_ERROR");
}

function recordErrors(span: Span, errors: readonly (GraphQLError | GraphQLFormattedError)[]): void {
  const codes = errors.map(codeOf);
  span.setAttribute(ATTR_GRAPHQL_ERROR_COUNT, errors.length);
  span.setAttribute(ATTR_GRAPHQL_ERROR_CODES, [...new Set(codes)]);
  // No message: it may quote a value the caller sent.
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Sets the operation's attributes; returns its name, else its type (the gateway's are anonymous). */
function describe(span: Span, document: DocumentNode, operationName: string | null | undefined, source: string): string | undefined {
  const operation = getOperationAST(document, operationName);
  const resolvedName = operationName ?? operation?.name?.value;
  if (operation) span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, operation.operation);
  if (resolvedName) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, resolvedName);
  // Literals are hidden on the way out (tracing/redact.ts); variables are never recorded.
  span.setAttribute(ATTR_GRAPHQL_DOCUMENT, source);
  return resolvedName ?? operation?.operation;
}

export function subgraphTracing(name: string): SubgraphTracing | undefined {
  const tracer = tracerFor(`moneygraph-subgraph`);
  if (!tracer) return undefined;

  const middleware: RequestHandler = (req, res, next) => {
    const parent = extractTraceContext(req.headers) ?? ROOT_CONTEXT;
    const span = tracer.startSpan(
      `${req.method} /graphql (${name})`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_COMPONENT]: name,
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          [ATTR_HTTP_ROUTE]: "/graphql",
          [ATTR_URL_PATH]: req.originalUrl.split("?")[0],
        },
      },
      parent,
    );
    res.once("close", () => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    withScope(trace.setSpan(parent, span), next);
  };

  const plugin: ApolloServerPlugin<BaseContext> = {
    async requestDidStart() {
      const parent = parentContext();
      const span = tracer.startSpan(
        `graphql.operation (${name})`,
        { kind: SpanKind.INTERNAL, attributes: { [ATTR_COMPONENT]: name } },
        parent,
      );
      const leave = enterScope(trace.setSpan(parent, span));
      return {
        async didResolveOperation({ document, operationName, source }) {
          const described = describe(span, document, operationName, source);
          if (described) span.updateName(`graphql.operation ${described} (${name})`);
        },
        async willSendResponse({ response }) {
          leave();
          // The errors as formatted for the gateway (their codes are what it sees).
          const body = response.body;
          const errors = body.kind === "single" ? body.singleResult.errors : body.initialResult.errors;
          if (errors?.length) recordErrors(span, errors);
          span.end();
        },
      };
    },
  };

  return {
    middleware,
    plugin,
    socketOperation(extensions) {
      const parent = extractTraceContext(extensions) ?? ROOT_CONTEXT;
      const span = tracer.startSpan(`graphql-ws (${name})`, { kind: SpanKind.SERVER, attributes: { [ATTR_COMPONENT]: name } }, parent);
      return {
        context: trace.setSpan(parent, span),
        describe(document, operationName, source) {
          const described = describe(span, document, operationName, source);
          if (described) span.updateName(`graphql-ws ${described} (${name})`);
        },
        end(errors) {
          if (errors?.length) recordErrors(span, errors);
          span.end();
        },
      };
    },
  };
}
