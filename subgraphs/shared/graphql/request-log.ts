// A subgraph's HTTP requests in its logs, under the gateway's request id (x-request-id, bound to
// the context's logger: context.ts). Apollo calls formatError without the context, so this
// plugin tells it whose errors it formats (an unexpected error is then logged with the request's
// id); and, at debug level, each request gets one line: operation, status, duration, error codes.
// The gateway's access log has the request at info level already.

import type { ApolloServerPlugin } from "@apollo/server";
import type { SubgraphContext } from "../context.ts";
import type { Logger } from "../logger.ts";
import type { ErrorRequest } from "./errors.ts";

export interface RequestLogging {
  readonly plugin: ApolloServerPlugin<SubgraphContext>;
  /** The request an error (as Apollo hands it to formatError) was raised in, if known. */
  requestOf(error: unknown): ErrorRequest | undefined;
}

export function requestLogging(logger: Logger): RequestLogging {
  const owners = new WeakMap<object, ErrorRequest>();
  return {
    requestOf: (error) => (error && typeof error === "object" ? owners.get(error) : undefined),
    plugin: {
      async requestDidStart() {
        const startedAt = logger.isLevelEnabled("debug") ? performance.now() : undefined;
        return {
          // Called with the very errors formatError gets next.
          async didEncounterErrors({ contextValue, errors }) {
            for (const error of errors) owners.set(error, contextValue);
          },
          async willSendResponse({ contextValue, operationName, request, response }) {
            if (startedAt === undefined) return;
            const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
            contextValue.logger.debug(
              {
                operationName: operationName ?? request.operationName,
                status: response.http.status ?? 200,
                durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
                ...(errors?.length ? { errorCodes: errors.map((error) => error.extensions?.["code"]) } : {}),
              },
              "subgraph request",
            );
          },
        };
      },
    },
  };
}
