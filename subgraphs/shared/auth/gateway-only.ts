// A subgraph's HTTP door: only the gateway gets in, and only with the operation it signed.
//
// POST only: Apollo Server runs a GET's query from its URL, which no signature covers, so a
// captured request's headers and body replayed as a GET with another query would run that query.
// The signature is checked against the body before GraphQL sees anything (a forged request costs
// no parsing), and again inside Apollo, against the very source, operation name and variables it
// is about to execute: whatever way a request might carry its operation, what runs is what was
// signed. Persisted queries are off on subgraphs for the same reason (a hash-only request would
// run a query no signature covers); the gateway never sends one.

import type { ApolloServerPlugin } from "@apollo/server";
import type { RequestHandler, Response } from "express";
import { GraphQLError } from "graphql";
import type { Logger } from "../logger.ts";
import { REQUEST_ID_HEADER, safeRequestId } from "../request-id.ts";
import type { Principal } from "./principal.ts";
import { verifyPrincipal } from "./signature.ts";

export interface GatewayOnlyOptions {
  readonly secret: string;
  readonly maxSkewMs: number;
  readonly logger: Logger;
}

const REFUSAL_MESSAGE = "Subgraphs are reachable only through the gateway";

/**
 * Marks the context of an operation the gateway of the same process runs directly on the
 * subgraph (`RunningSubgraph.execute`): no request, so nothing to sign. A symbol private to this
 * module's importers: no header, body or variable can set it, and the HTTP door builds its
 * contexts without it.
 */
const IN_PROCESS = Symbol("in-process gateway operation");

export function markInProcess<T extends object>(context: T): T {
  // Enumerable: Apollo Server runs each operation on a shallow copy of the context it is given.
  return Object.defineProperty(context, IN_PROCESS, { value: true, enumerable: true });
}

function isInProcess(context: object): boolean {
  return (context as { [IN_PROCESS]?: boolean })[IN_PROCESS] === true;
}

function refuse(res: Response, status: number, message: string, code: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** 405 for anything but POST: the operation must be in the signed body. */
export const postOnly: RequestHandler = (req, res, next) => {
  if (req.method === "POST") return next();
  res.setHeader("Allow", "POST");
  refuse(res, 405, "Subgraphs accept POST only", "BAD_USER_INPUT");
};

/** Checks the signature against the parsed body; the principal goes to `res.locals.principal`. */
export function requireGatewaySignature(options: GatewayOnlyOptions): RequestHandler {
  return (req, res, next) => {
    const body = req.body as { query?: unknown; operationName?: unknown; variables?: unknown } | undefined;
    const operation = body && typeof body === "object" && !Array.isArray(body) ? body : {};
    const verified = verifyPrincipal(req.headers, options.secret, options.maxSkewMs, operation);
    if (!verified.ok) {
      options.logger.warn(
        { reason: verified.reason, ip: req.socket.remoteAddress, requestId: safeRequestId(req.headers[REQUEST_ID_HEADER]) },
        "refused unsigned request",
      );
      refuse(res, 401, REFUSAL_MESSAGE, "UNAUTHENTICATED");
      return;
    }
    res.locals["principal"] = verified.principal satisfies Principal;
    next();
  };
}

/**
 * Refuses, before execution, an operation other than the one the request's headers were signed
 * for. Freshness was checked at the door; this checks only that the signature covers what runs.
 */
export function executesSignedOperation(options: Omit<GatewayOnlyOptions, "maxSkewMs">): ApolloServerPlugin<{ readonly logger?: Logger }> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, source, contextValue }) {
          // The gateway in this very process, which hands its principal over as a value (server.ts).
          if (isInProcess(contextValue)) return;
          const headers = Object.fromEntries(request.http?.headers ?? []);
          const executed = { query: source, operationName: request.operationName, variables: request.variables };
          const verified = verifyPrincipal(headers, options.secret, Number.POSITIVE_INFINITY, executed);
          if (verified.ok) return;
          (contextValue.logger ?? options.logger).warn({ reason: verified.reason }, "refused an operation other than the signed one");
          throw new GraphQLError(REFUSAL_MESSAGE, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
        },
      };
    },
  };
}
