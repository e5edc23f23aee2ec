// One error formatter for everything the gateway answers (HTTP and graphql-ws): the subgraphs'
// own (subgraphs/shared/graphql/errors.ts), so typed codes pass, GraphQL's request errors become
// BAD_USER_INPUT with the original as `reason`, an unreachable dependency is SERVICE_UNAVAILABLE,
// and anything else is masked and logged (by the formatter, once). Applied to each result as it
// leaves: HTTP by useErrorFormatting, graphql-ws by its server (subscriptions/ws-server.ts). Each
// error then carries its request's id (`extensions.requestId`), and a masked one is logged with it.

import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type ExecutionResult,
  type GraphQLFormattedError,
  type ParseOptions,
  type Source,
} from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { formatErrorWith } from "../../subgraphs/shared/graphql/errors.ts";
import { withoutSuggestions } from "../../subgraphs/shared/graphql/request-errors.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import type { RequestScope } from "../../subgraphs/shared/request-id.ts";
import { MAX_TOKENS } from "../limits.ts";
import type { RequestLog } from "./request-log.ts";

/** Subgraph errors may arrive as plain JSON objects: keep their path and typed extensions. */
function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof Error) return new GraphQLError(error.message, { originalError: error });
  const json = error as Partial<GraphQLFormattedError> | null;
  if (json && typeof json === "object" && typeof json.message === "string") {
    return new GraphQLError(json.message, { path: json.path, extensions: json.extensions });
  }
  return new GraphQLError(String(error));
}

/** Yoga's names for Apollo's refusals of a persisted query, in Apollo's words. */
function apolloWords(error: GraphQLError): GraphQLError {
  if (error.extensions["code"] !== "PERSISTED_QUERY_MISMATCH") return error;
  return new GraphQLError("provided sha does not match query", { extensions: { ...error.extensions, code: "BAD_REQUEST" } });
}

/** `request`: the request the error is answered to (its id goes into the error, and into the log line of a masked one). */
export type ErrorFormatter = (error: unknown, request?: RequestScope) => GraphQLError;

/** `onFormatted` hears the code of every error formatted (once each: metrics count them). */
export function gatewayErrorFormatter(logger: Logger, onFormatted?: (code: unknown) => void): ErrorFormatter {
  const format = formatErrorWith(logger);
  const formatted = new WeakSet<GraphQLError>();
  return (error, request) => {
    if (error instanceof GraphQLError && formatted.has(error)) {
      if (!request || error.extensions["requestId"] === request.requestId) return error;
      // Formatted for another request (a result shared by identical requests in flight).
      const result = new GraphQLError(error.message, {
        nodes: error.nodes,
        path: error.path,
        extensions: { ...error.extensions, requestId: request.requestId },
      });
      formatted.add(result);
      return result;
    }
    const graphqlError = apolloWords(asGraphQLError(error));
    const json: GraphQLFormattedError = format(graphqlError.toJSON(), graphqlError, request);
    // Without `spec`: Yoga would answer 200 to a client that accepts only application/json.
    const { spec: _spec, ...http } = (graphqlError.extensions["http"] ?? {}) as { spec?: boolean; status?: number };
    const result = new GraphQLError(json.message, {
      nodes: graphqlError.nodes,
      path: json.path,
      // `http` is kept for the runtime to pick the HTTP status; it never reaches the client.
      extensions: {
        ...json.extensions,
        ...(request ? { requestId: request.requestId } : {}),
        ...(Object.keys(http).length > 0 ? { http } : {}),
      },
    });
    formatted.add(result);
    onFormatted?.(json.extensions?.["code"]);
    return result;
  };
}

/** A result's errors as a client receives them over graphql-ws (no HTTP internals). */
export function forSocket(errors: readonly GraphQLError[] | readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    const json = error instanceof GraphQLError ? error.toJSON() : error;
    const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions ?? {};
    return { ...json, extensions };
  });
}

/** A client's malformed or invalid operation: BAD_USER_INPUT (the original as `reason`), HTTP 400. */
function requestError(error: GraphQLError, reason: "GRAPHQL_PARSE_FAILED" | "GRAPHQL_VALIDATION_FAILED"): GraphQLError {
  const code = error.extensions["code"];
  return new GraphQLError(withoutSuggestions(error.message), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    // Apollo Server's statuses, whatever the client accepts: a client's mistake is a 4xx.
    extensions: {
      code: "BAD_USER_INPUT",
      reason: typeof code === "string" && code !== "BAD_USER_INPUT" ? code : reason,
      http: { status: 400, spec: false },
    },
  });
}

/** Which operation a request names, for the message of a document that does not hold it. */
function unresolvedOperation(operationName: string | null | undefined): string {
  return operationName
    ? `Unknown operation named "${operationName}"`
    : "Must provide operationName: the document contains several operations";
}

/**
 * Parse and validation failures (GraphQL's own and GraphQL Armor's limits) get their typed code
 * and status where they happen; the token limit is the parser's own (a syntax error); variables
 * are checked before anything runs (the planner would coerce them mid-execution, where a bad one
 * looks like any other error).
 */
export function useTypedRequestErrors(): GatewayPlugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source: string | Source, options?: ParseOptions) => parseFn(source, { ...options, maxTokens: MAX_TOKENS }));
      return ({ result, replaceParseResult }) => {
        if (result instanceof GraphQLError) replaceParseResult(requestError(result, "GRAPHQL_PARSE_FAILED"));
        else if (result instanceof Error) replaceParseResult(requestError(new GraphQLError(result.message), "GRAPHQL_PARSE_FAILED"));
      };
    },
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map((error) => requestError(error, "GRAPHQL_VALIDATION_FAILED")));
      };
    },
    onExecute({ args, setResultAndStopExecution }) {
      // An operation that ran and failed has `data: null` (GraphQL's execution result), which
      // the Rust planner leaves out when a non-null root field fails.
      const nullData = {
        onExecuteDone({ result, setResult }: { result: unknown; setResult: (result: ExecutionResult) => void }) {
          const single = result as ExecutionResult;
          if (single && !(Symbol.asyncIterator in single) && single.data === undefined && single.errors?.length)
            setResult({ ...single, data: null });
        },
      };
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation?.variableDefinitions?.length) return nullData;
      const coerced = getVariableValues(args.schema, operation.variableDefinitions, args.variableValues ?? {});
      if (coerced.errors) {
        setResultAndStopExecution({
          errors: coerced.errors.map(
            (error) =>
              new GraphQLError(withoutSuggestions(error.message), {
                nodes: error.nodes,
                extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
              }),
          ),
        });
        return undefined;
      }
      return nullData;
    },
  };
}

/** Formats every error of an HTTP answer, once, as it leaves; its codes go to the access log. */
export function useErrorFormatting(format: ErrorFormatter, requests: RequestLog): GatewayPlugin {
  const operationNames = new WeakMap<Request, string | null | undefined>();
  return {
    onParams({ request, params }) {
      operationNames.set(request, params.operationName);
    },
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      const single = result as ExecutionResult;
      if (!single.errors?.length) return;
      const record = requests.of(request);
      const errors = single.errors.map((error) => {
        const typed = format(error, record);
        if (typed.extensions["reason"] !== "OPERATION_RESOLUTION_FAILURE") return typed;
        return new GraphQLError(unresolvedOperation(operationNames.get(request)), { extensions: typed.extensions });
      });
      if (record) record.errorCodes = errors.map((error) => String(error.extensions["code"]));
      setResult({ ...single, errors });
    },
  };
}
