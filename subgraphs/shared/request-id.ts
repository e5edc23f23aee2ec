// Request ids: one per request the gateway answers (HTTP header x-request-id) and per graphql-ws
// operation (the subscribe message's `extensions.requestId`), sent on to the subgraphs the same
// ways, so that one id finds a request's lines in every process's logs.
//
// A caller may bring its own id (a load balancer's, a client's trace). It ends up in log lines and
// response headers, so only a short token of printable ASCII is taken as it is (HTTP's token
// characters: no spaces, quotes, backslashes or control characters, nothing to forge a log line or
// a header with); anything else is replaced by a fresh UUID, never echoed.

import { randomUUID } from "node:crypto";
import type { Logger } from "./logger.ts";

export const REQUEST_ID_HEADER = "x-request-id";
/** Where a graphql-ws subscribe message carries it (`payload.extensions.requestId`). */
export const REQUEST_ID_EXTENSION = "requestId";
export const MAX_REQUEST_ID_LENGTH = 128;

// RFC 9110's tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `value` if it is a request id we may log and echo as it is, else undefined. */
export function safeRequestId(value: unknown): string | undefined {
  return typeof value === "string" && value.length <= MAX_REQUEST_ID_LENGTH && TOKEN.test(value) ? value : undefined;
}

/** The caller's id if it is safe, else a new one. */
export function requestIdFrom(value: unknown): string {
  return safeRequestId(value) ?? randomUUID();
}

/** The request id carried by a graphql-ws subscribe message's extensions, if any. */
export function extensionRequestId(extensions: unknown): unknown {
  return extensions && typeof extensions === "object" ? (extensions as Record<string, unknown>)[REQUEST_ID_EXTENSION] : undefined;
}

/**
 * A request, for logs: its id and a logger bound to it, made on first use (most requests log
 * nothing, and a pino child costs an allocation per request).
 */
export class RequestScope {
  private bound: Logger | undefined;

  constructor(
    readonly requestId: string,
    private readonly base: Logger,
  ) {}

  get logger(): Logger {
    return (this.bound ??= this.base.child({ requestId: this.requestId }));
  }
}

/**
 * How a graphql-ws operation ended, from graphql-ws's table of running operations: the server
 * replaces the table when the socket closes, drops an operation from it when the peer completes
 * it, and keeps it there while the stream ends by itself. `table` is the one the operation
 * started in, `current` the connection's table now.
 */
export function socketOperationEnding(
  table: object | undefined,
  current: Readonly<Record<string, unknown>>,
  id: string,
): "connection closed" | "completed" | "unsubscribed" {
  return table !== current ? "connection closed" : id in current ? "completed" : "unsubscribed";
}
