// A subgraph's HTTP requests in its logs, under the gateway's request id (x-request-id, bound to
// the context's logger: context.ts). Apollo calls formatError without the context, so this
// plugin tells it whose errors it formats (an unexpected error is then logged with the request's
// id); and, at debug level, each request gets one line: operation, status, duration, error codes.
// The gateway's access log has the request at info level already.

import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import type { SubgraphContext } from "../context.ts";
import type { Logger } from "../logger.ts";
import type { ErrorRequest } from "./errors.ts";

export interface RequestLogging {
  readonly plugin: ApolloServerPlugin<SubgraphContext>;
  /** The request an error (as Apollo hands it to formatError) was raised in, if known. */
  requestOf(error: unknown): ErrorRequest | undefined;
  /** When a request began, if its line will be logged (debug level); for `answered`. */
  started(): number | undefined;
  /** The request's one line, at debug level (nothing unless `started` gave a time). */
  answered(
    request: ErrorRequest,
    line: { operationName: string | null | undefined; status: number; errors: readonly GraphQLFormattedError[] | undefined },
    startedAt: number | undefined,
  ): void;
}

export function requestLogging(logger: Logger): RequestLogging {
  const owners = new WeakMap<object, ErrorRequest>();
  const started = () => (logger.isLevelEnabled("debug") ? performance.now() : undefined);
  const answered: RequestLogging["answered"] = (request, { operationName, status, errors }, startedAt) => {
    if (startedAt === undefined) return;
    request.logger.debug(
      {
        operationName,
        status,
        durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
        ...(errors?.length ? { errorCodes: errors.map((error) => error.extensions?.["code"]) } : {}),
      },
      "subgraph request",
    );
  };
  return {
    requestOf: (error) => (error && typeof error === "object" ? owners.get(error) : undefined),
    started,
    answered,
    plugin: {
      async requestDidStart() {
        const startedAt = started();
        return {
          // Called with the very errors formatError gets next.
          async didEncounterErrors({ contextValue, errors }) {
            for (const error of errors) owners.set(error, contextValue);
          },
          async willSendResponse({ contextValue, operationName, request, response }) {
            const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
            answered(
              contextValue,
              { operationName: operationName ?? request.operationName, status: response.http.status ?? 200, errors },
              startedAt,
            );
          },
        };
      },
    },
  };
}
