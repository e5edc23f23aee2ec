// The one vocabulary of errors the API speaks (API.md). Use cases return or throw AppError with
// one of these codes; `toGraphQLError` is the single mapping to `extensions.code`, and anything
// else is masked as INTERNAL_SERVER_ERROR.

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

export const notFound = (what: string, id: string) =>
  new AppError("NOT_FOUND", `No such ${what}: '${id}'`, { id });

export const badInput = (message: string, argument?: string) =>
  new AppError("BAD_USER_INPUT", message, argument ? { argument } : undefined);

/** Refusals that the same request, retried a little later, may get past (`extensions.retryable`). */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set(["SERVICE_UNAVAILABLE", "RATE_LIMITED", "IDEMPOTENCY_KEY_IN_USE"]);

/** How long clients are asked to wait before retrying during an outage. */
export const OUTAGE_RETRY_AFTER_MS = 2_000;

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
