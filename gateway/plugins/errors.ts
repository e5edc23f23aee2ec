// One error formatter for everything the gateway answers (HTTP and graphql-ws): the subgraphs'
// own (subgraphs/shared/graphql/errors.ts), so typed codes pass, GraphQL's request errors become
// BAD_USER_INPUT with the original as `reason`, and anything else is masked and logged. Used as
// the runtime's maskError, which Yoga applies to every error it sends.

import { getOperationAST, getVariableValues, GraphQLError, type GraphQLFormattedError } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { formatErrorWith } from "../../subgraphs/shared/graphql/errors.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";

/** Field suggestions describe the schema to whoever probes it without a key. */
function withoutSuggestions(message: string): string {
  return message.replace(/ Did you mean .*\?$/, "");
}

/** Subgraph errors may arrive as plain JSON objects: keep their path and typed extensions. */
function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof Error) return new GraphQLError(error.message, { originalError: error });
  const json = error as Partial<GraphQLFormattedError> | null;
  if (json && typeof json === "object" && typeof json.message === "string") {
    return new GraphQLError(json.message, { path: json.path, extensions: json.extensions });
  }
  return new GraphQLError(String(error));
}

export function gatewayErrorFormatter(logger: Logger) {
  const format = formatErrorWith(logger);
  return (error: unknown): GraphQLError => {
    const graphqlError = error instanceof GraphQLError ? error : asGraphQLError(error);
    const formatted: GraphQLFormattedError = format(graphqlError.toJSON(), graphqlError);
    // Without `spec`: Yoga would answer 200 to a client that accepts only application/json.
    const { spec: _spec, ...http } = (graphqlError.extensions["http"] ?? {}) as { spec?: boolean; status?: number };
    return new GraphQLError(withoutSuggestions(formatted.message), {
      nodes: graphqlError.nodes,
      path: formatted.path,
      // Kept for the runtime to pick the HTTP status; it never reaches the client.
      extensions: { ...formatted.extensions, ...(Object.keys(http).length > 0 ? { http } : {}) },
    });
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
    extensions: { code: "BAD_USER_INPUT", reason: typeof code === "string" && code !== "BAD_USER_INPUT" ? code : reason, http: { status: 400, spec: false } },
  });
}

/**
 * Parse and validation failures (GraphQL's own and GraphQL Armor's limits) get their typed code
 * and status where they happen: the runtime sends validation errors without masking them.
 */
export function useTypedRequestErrors(): GatewayPlugin {
  return {
    onParse() {
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
    // Variables are checked before anything runs (the planner would coerce them mid-execution,
    // where a bad one looks like any other error).
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation?.variableDefinitions?.length) return;
      const coerced = getVariableValues(args.schema, operation.variableDefinitions, args.variableValues ?? {});
      if (coerced.errors) {
        setResultAndStopExecution({
          errors: coerced.errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } })),
        });
      }
    },
  };
}
