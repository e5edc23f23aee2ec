// The one vocabulary of errors the API speaks (docs/errors.md). Use cases throw AppError with one of
// these codes; a domain refusal becomes one through `refused`, the one exhaustive map from
// refusal codes to API codes. `formatErrorWith` (graphql/errors.ts) turns an AppError into
// `extensions.code`, and masks anything else as INTERNAL_SERVER_ERROR.

import { parseId, type Id, type IdKind } from "./ids.ts";
import type { Refusal, RefusalCode } from "./refusal.ts";

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "INSUFFICIENT_FUNDS",
  "CURRENCY_MISMATCH",
  "INVALID_STATE",
  "PAYOUTS_NOT_ENABLED",
  "QUOTE_EXPIRED",
  "IDEMPOTENCY_KEY_REUSED",
  "IDEMPOTENCY_KEY_IN_USE",
  "RATE_LIMITED",
  "SERVICE_UNAVAILABLE",
  // A subscription ended before an event it could not complete: subscribe again with `after`.
  "SUBSCRIPTION_INTERRUPTED",
  "INTERNAL_SERVER_ERROR",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Safe, client-facing details (e.g. which argument was wrong). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string, id: string) => new AppError("NOT_FOUND", `No such ${what}: '${id}'`, { id });

/**
 * An id argument of a request, narrowed to its kind at the edge (resolvers) before it reaches a
 * use case: an id of the wrong shape names nothing, so it is NOT_FOUND like one that exists for
 * no one.
 */
export function idArgument<K extends IdKind>(kind: K, value: string, what: string): Id<K> {
  const id = parseId(kind, value);
  if (!id) throw notFound(what, value);
  return id;
}

export const badInput = (message: string, argument?: string) =>
  new AppError("BAD_USER_INPUT", message, argument ? { argument } : undefined);

/**
 * Answers that are not definite (`extensions.retryable: true`): the request may or may not have
 * taken effect, or may get through a little later. The retry contract (README, "Retries"): send
 * the same request with the same idempotencyKey until a definite answer; every other code is
 * definite, and a mutation retried with its key runs at most once.
 */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  "SERVICE_UNAVAILABLE",
  "RATE_LIMITED",
  "IDEMPOTENCY_KEY_IN_USE",
  "INTERNAL_SERVER_ERROR",
]);

/**
 * How long clients are asked to wait before retrying during an outage. Short: a database restart
 * or a process restart is over in a second or a few, and a client that waits longer than the
 * outage only gets its answer later (bench:faults measured 2.5 s to the first success after a
 * 1.1 s database restart with a 2 s hint).
 */
export const OUTAGE_RETRY_AFTER_MS = 1_000;

/**
 * Something we depend on (the database, a subgraph) cannot be reached: not the request's fault,
 * and the same request may succeed shortly. `retryable` tells clients so; a mutation retried
 * with the same idempotencyKey runs at most once.
 */
export const serviceUnavailable = (message = "The service is temporarily unavailable; retry shortly") =>
  new AppError("SERVICE_UNAVAILABLE", message, { retryable: true, retryAfterMs: OUTAGE_RETRY_AFTER_MS });

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Marks a switch as exhaustive: it compiles only while every case is handled. */
export function assertUnreachable(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}

/** The API code of each refusal code: checked exhaustive by the compiler. */
export function apiCodeOf(code: RefusalCode): ErrorCode {
  switch (code) {
    case "BAD_USER_INPUT":
      return "BAD_USER_INPUT";
    case "NOT_FOUND":
      return "NOT_FOUND";
    case "FORBIDDEN":
      return "FORBIDDEN";
    case "INVALID_STATE":
      return "INVALID_STATE";
    case "CURRENCY_MISMATCH":
      return "CURRENCY_MISMATCH";
    case "INSUFFICIENT_FUNDS":
      return "INSUFFICIENT_FUNDS";
    case "PAYOUTS_NOT_ENABLED":
      return "PAYOUTS_NOT_ENABLED";
    case "QUOTE_EXPIRED":
      return "QUOTE_EXPIRED";
    default:
      return assertUnreachable(code);
  }
}

/** The typed error a refusal is answered with; its argument, if any, becomes `extensions.argument`. */
export function refused(refusal: Refusal): AppError {
  return new AppError(
    apiCodeOf(refusal.code),
    refusal.message,
    refusal.argument === undefined ? undefined : { argument: refusal.argument },
  );
}

/** Throws the refusal, if there is one. */
export function throwIfRefused(refusal: Refusal | undefined): void {
  if (refusal) throw refused(refusal);
}
