// The single mapping from what resolvers throw to what clients see. AppError keeps its code and
// safe details; GraphQL's own errors (parse, validation, scalar coercion) and Apollo's refusals
// of a malformed request become BAD_USER_INPUT, without "Did you mean" suggestions (they would
// describe the schema to whoever probes it); an unreachable database is SERVICE_UNAVAILABLE,
// reported to the process's OutageReporter (logged once per outage); anything else is an
// internal error: logged in full (by the request's logger when the caller has it, so the line
// carries its request id), masked for the client.

import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { isUnstorableText, sqlStateOf } from "../db/errors.ts";
import type { OutageReporter } from "../db/outage.ts";
import { isDatabaseUnavailable } from "../db/unavailable.ts";
import { AppError, isErrorCode, RETRYABLE_CODES, serviceUnavailable } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { isCodelessClientError, withoutSuggestions } from "./request-errors.ts";

const GRAPHQL_REQUEST_ERRORS = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  // The gateway in trusted-documents mode: a document its manifest does not list.
  "OPERATION_NOT_TRUSTED",
]);

/** Whatever knows the request an error belongs to: its logger is bound to the request id. */
export interface ErrorRequest {
  readonly logger: Logger;
}

export type FormatError = (formatted: GraphQLFormattedError, error: unknown, request?: ErrorRequest) => GraphQLFormattedError;

export function formatErrorWith(logger: Logger, outage?: OutageReporter): FormatError {
  return (formatted, error, request) => {
    let original = unwrapResolverError(error);
    if (isDatabaseUnavailable(original)) {
      outage?.report(original);
      original = serviceUnavailable();
    }
    if (original instanceof AppError) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { ...original.details, code: original.code, ...(RETRYABLE_CODES.has(original.code) ? { retryable: true } : {}) },
      };
    }
    formatted = { ...formatted, message: withoutSuggestions(formatted.message) };
    const code = isCodelessClientError(formatted.extensions?.["code"], error) ? "BAD_REQUEST" : formatted.extensions?.["code"];
    // What only describes our internals; the rest of a typed error's extensions is safe detail
    // (e.g. `argument`), possibly relayed by the gateway from a subgraph.
    const { serviceName: _service, stacktrace: _stack, exception: _exception, http: _http, ...safe } = formatted.extensions ?? {};
    if (code === "BAD_USER_INPUT") return { ...formatted, extensions: { ...safe, code } };
    if (typeof code === "string" && GRAPHQL_REQUEST_ERRORS.has(code)) {
      return { ...formatted, extensions: { code: "BAD_USER_INPUT", reason: code } };
    }
    if (isErrorCode(code) && code !== "INTERNAL_SERVER_ERROR") {
      return { ...formatted, extensions: { ...safe, code } };
    }
    if (isUnstorableText(original)) {
      // A backstop: the text rule refuses such input at the edge, so this means a check is missing.
      (request?.logger ?? logger).warn(
        { sqlState: sqlStateOf(original), path: formatted.path },
        "database refused text the edge let through",
      );
      return {
        message: "The request holds text that cannot be stored (NUL or malformed Unicode)",
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: "BAD_USER_INPUT" },
      };
    }
    (request?.logger ?? logger).error({ err: original, path: formatted.path }, "unexpected error");
    return {
      message: "Internal server error",
      ...(formatted.path ? { path: formatted.path } : {}),
      // The outcome is unknown to the client: retrying with the same idempotencyKey is safe.
      extensions: { code: "INTERNAL_SERVER_ERROR", retryable: true },
    };
  };
}
