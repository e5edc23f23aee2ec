// Express's own error answers are HTML pages with a stack and file paths. A GraphQL endpoint
// answers JSON with a typed code instead, whatever failed before GraphQL ran: the body parser
// (bad JSON, gzip that does not inflate, an unknown charset or encoding, too large) or anything
// else that reached Express.

import type { ErrorRequestHandler } from "express";
import type { Logger } from "./logger.ts";
import { REQUEST_ID_HEADER, safeRequestId } from "./request-id.ts";

interface HttpError {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly statusCode?: unknown;
}

/** What the client did wrong, by body-parser's error type (or zlib's refusal to inflate). */
function bodyRefusal(error: HttpError, maxBytes: number): { status: number; message: string; reason: string } | undefined {
  switch (error.type) {
    case "entity.too.large":
      return { status: 413, message: `Request body larger than ${maxBytes} bytes`, reason: "BODY_TOO_LARGE" };
    case "entity.parse.failed":
      return { status: 400, message: "Request body is not valid JSON", reason: "BODY_NOT_JSON" };
    case "charset.unsupported":
      return { status: 415, message: "Unsupported charset: send UTF-8 JSON", reason: "UNSUPPORTED_CHARSET" };
    case "encoding.unsupported":
      return { status: 415, message: "Unsupported Content-Encoding: use gzip, deflate or br, or none", reason: "UNSUPPORTED_ENCODING" };
  }
  const status = typeof error.status === "number" ? error.status : typeof error.statusCode === "number" ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, message: "Request body could not be read (is its Content-Encoding right?)", reason: "BODY_UNREADABLE" };
  }
  return undefined;
}

/** After the body parser: its refusals as GraphQL errors (4xx, BAD_USER_INPUT with a reason). */
export function jsonBodyErrors(maxBytes: number): ErrorRequestHandler {
  return (error: HttpError, _req, res, next) => {
    const refusal = bodyRefusal(error, maxBytes);
    if (!refusal) return next(error);
    res
      .status(refusal.status)
      .json({ errors: [{ message: refusal.message, extensions: { code: "BAD_USER_INPUT", reason: refusal.reason } }] });
  };
}

/** Last in the chain: whatever else failed is logged and answered as a masked internal error. */
export function jsonInternalErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    logger.error({ err: error, requestId: safeRequestId(req.headers[REQUEST_ID_HEADER]) }, "request failed before GraphQL");
    res.status(500).json({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
  };
}
