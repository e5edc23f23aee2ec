// The operations the gateway of the same process sends a subgraph (gateway/transport/in-process.ts),
// run without Apollo Server's request pipeline when nothing about them needs it. Per operation
// that pipeline hashes the text (SHA-256, its document cache's key), runs every plugin's hooks
// (a promise each, five plugins here), copies the context and builds an HTTP-shaped response: about
// a seventh of the all-in-one's CPU per transfer through the gateway (docs/performance.md).
//
// What Apollo Server does with an operation, and what becomes of it here:
//   - Parse and validate, once per text: the same (a bounded map of the documents that passed).
//   - Refusals before anything runs (a document that does not parse or validate, an operation
//     name it does not hold, text the text rule refuses): such an operation goes to Apollo
//     Server (`fallback`), which answers it exactly as over HTTP. Nothing has run yet, so
//     handing it over repeats nothing.
//   - Execution: the runner Apollo Server's executor calls (compiled, or graphql-js).
//   - Errors: normalized as Apollo Server does (a variable that does not coerce is
//     BAD_USER_INPUT, a missing code INTERNAL_SERVER_ERROR, `http` dropped), then formatted by
//     our formatError with the request at hand (its logger, its request id).
//   - The operation metrics and the debug line per request: recorded alike.
// With tracing on, server.ts sends every operation through Apollo Server (its spans are a plugin's).

import { ApolloServerErrorCode } from "@apollo/server/errors";
import {
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import type { OperationRunner } from "./compiled-execution.ts";
import type { ErrorRequest, FormatError } from "./errors.ts";
import type { RequestLogging } from "./request-log.ts";
import { findMalformedArgument } from "./text-input.ts";

/** Documents kept per subgraph: the gateway's plans produce a few hundred at most. */
const MAX_DOCUMENTS = 1_000;

export interface InProcessRequest {
  readonly query: string;
  readonly operationName?: string | undefined;
  readonly variables?: Record<string, unknown> | undefined;
}

export interface InProcessExecutionOptions<C extends ErrorRequest> {
  readonly schema: GraphQLSchema;
  readonly run: OperationRunner;
  readonly formatError: FormatError;
  readonly requests: RequestLogging;
  /** One operation answered (the operation metrics), if kept. */
  readonly record?: ((type: string, failed: boolean, started: number) => void) | undefined;
  /** Apollo Server's own pipeline, for what this path hands over. */
  readonly fallback: (request: InProcessRequest, context: C) => Promise<FormattedExecutionResult>;
}

/** Apollo Server's test for a variable that does not coerce (its requestPipeline.ts): the caller's mistake. */
function isBadVariable(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const name = node.variable.name.value;
  return [`has invalid value`, `got invalid value `, `of required type `, `of non-null type `].some((tail) =>
    error.message.startsWith(`Variable "$${name}" ${tail}`),
  );
}

/** What an executor threw, as Apollo Server makes it a GraphQLError (errorNormalize.ts's ensureGraphQLError). */
function asGraphQLError(thrown: unknown): GraphQLError {
  const error = thrown instanceof Error ? thrown : new GraphQLError(`Unexpected error value: ${String(thrown)}`);
  return error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error });
}

/** An execution error as Apollo Server hands it to formatError (errorNormalize.ts's enrichError). */
function normalized(error: GraphQLError): { formatted: GraphQLFormattedError; error: GraphQLError } {
  const badVariable = isBadVariable(error) && error.extensions.code == null;
  const raised = badVariable
    ? new GraphQLError(error.message, {
        nodes: error.nodes,
        originalError: error.originalError ?? error,
        extensions: { ...error.extensions, code: ApolloServerErrorCode.BAD_USER_INPUT },
      })
    : error;
  const { http: _http, ...extensions } = {
    ...raised.extensions,
    code: raised.extensions.code ?? ApolloServerErrorCode.INTERNAL_SERVER_ERROR,
  };
  return { formatted: { ...raised.toJSON(), extensions }, error: raised };
}

export function inProcessExecution<C extends ErrorRequest>(options: InProcessExecutionOptions<C>) {
  const { schema, run, formatError, requests, record, fallback } = options;
  const documents = new Map<string, DocumentNode>();

  /** The text parsed and validated, or undefined when Apollo Server should refuse it. */
  const documentOf = (query: string): DocumentNode | undefined => {
    const known = documents.get(query);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      return undefined;
    }
    if (validate(schema, document).length > 0) return undefined;
    // Oldest first out: a Map iterates in insertion order.
    if (documents.size >= MAX_DOCUMENTS) documents.delete(documents.keys().next().value!);
    documents.set(query, document);
    return document;
  };

  const format = (error: GraphQLError, context: C): GraphQLFormattedError => {
    const { formatted, error: raised } = normalized(error);
    try {
      return formatError(formatted, raised, context);
    } catch {
      // As Apollo Server answers when formatting itself fails.
      return { message: "Internal server error", extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR } };
    }
  };

  return async function execute(request: InProcessRequest, context: C): Promise<FormattedExecutionResult> {
    const document = documentOf(request.query);
    const operation = document ? getOperationAST(document, request.operationName) : null;
    const variables = request.variables ?? {};
    if (!document || !operation || findMalformedArgument(document, variables)) return fallback(request, context);

    const started = performance.now();
    const logFrom = requests.started();
    let result: ExecutionResult;
    let status = 200;
    try {
      result = await run(document, request.query, request.operationName, variables, context);
    } catch (error) {
      // Apollo Server answers an executor that throws with the error alone, status 500.
      status = 500;
      result = { errors: [asGraphQLError(error)] };
    }
    const errors = result.errors?.length ? result.errors.map((error) => format(error, context)) : undefined;
    record?.(operation.operation, errors !== undefined, started);
    requests.answered(context, { operationName: operation.name?.value ?? request.operationName ?? null, status, errors }, logFrom);
    const { errors: _raw, ...rest } = result;
    return errors ? { ...rest, errors } : rest;
  };
}
