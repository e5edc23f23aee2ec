// API keys and request rates at the edge, as runtime plugins.
//
// HTTP: an Authorization header, when present, must be right (401 otherwise, before anything is
// parsed; 429 for an address beyond its failed authentications, see auth-failures.ts; 503 with
// Retry-After when the key cannot be checked); the request then spends one of its tenant's
// requests per second (429 and Retry-After beyond: see rate-limit.ts). graphql-ws connections are admitted by their key in
// connectionParams (subscriptions/ws-server.ts) and their operations carry its principal.
// Either way, without a principal only introspection runs (Sandbox loads the schema first).

import type { IncomingMessage } from "node:http";
import { Kind, type DocumentNode, type OperationDefinitionNode } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { Principal } from "../../subgraphs/shared/auth/principal.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import { serviceUnavailable } from "../../subgraphs/shared/errors.ts";
import { isRateLimited, retryAfterSecondsOf, type AuthFailures } from "../auth-failures.ts";
import { isAuthenticationUnavailable, unauthenticated, type Authenticator } from "../authenticate.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { rateKeyOf, rateLimited, retryAfterSeconds, type RateLimiter } from "../rate-limit.ts";
import type { ErrorJson, RequestLog } from "./request-log.ts";

export interface ApiKeyOptions {
  readonly authenticator: Authenticator;
  /** A wrong key spends its address's budget of failed authentications. */
  readonly authFailures: AuthFailures;
  /** The client's address (TRUST_PROXY applies). */
  readonly clientAddress: (request: IncomingMessage) => string;
  readonly rateLimiter: RateLimiter;
  readonly graphqlEndpoint: string;
  readonly logger: Logger;
  /** Answers refusals with the request id; learns the tenant for the access log. */
  readonly requests: RequestLog;
  /** Counts refused keys and rate limits (absent: METRICS_ENABLED=false). */
  readonly metrics?: Pick<GatewayMetrics, "authFailure" | "rateLimited" | "error"> | undefined;
}

export interface PrincipalContext {
  principal?: Principal;
}

function isIntrospectionOnly(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operations = document.definitions.filter((node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((node) => node.name?.value === operationName) : operations[0];
  return (
    !!operation &&
    operation.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD && selection.name.value.startsWith("__"))
  );
}

function errorCode(error: unknown): { code: string; status: number } {
  const extensions = (error as { extensions?: { code?: string; http?: { status?: number } } }).extensions;
  return { code: extensions?.code ?? "INTERNAL_SERVER_ERROR", status: extensions?.http?.status ?? 500 };
}

export function useApiKeys(options: ApiKeyOptions): GatewayPlugin<PrincipalContext> {
  const { authenticator, authFailures, rateLimiter, logger, requests, metrics } = options;

  /** The answer to a request whose key could not be checked: an outage, safe to retry. */
  const unavailable = (request: Request) => {
    const error = serviceUnavailable("Authentication is unavailable; retry shortly");
    const retryAfterMs = Number(error.details?.["retryAfterMs"] ?? 1_000);
    return requests.errorResponse(request, 503, [{ message: error.message, extensions: { ...error.details, code: error.code } }], {
      "retry-after": String(retryAfterSecondsOf(retryAfterMs)),
    });
  };
  const principals = new WeakMap<Request, Principal>();
  const rateHeaders = new WeakMap<Request, Record<string, string>>();

  const requireKey = (context: PrincipalContext, document: DocumentNode, operationName: string | null | undefined) => {
    if (context.principal || isIntrospectionOnly(document, operationName)) return undefined;
    metrics?.authFailure("socket" in context ? "ws" : "http", "missing_key");
    return { errors: [unauthenticated("Missing API key: use `Authorization: Bearer <secret key>`")] };
  };

  return {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname !== options.graphqlEndpoint || request.method === "OPTIONS") return;
      const authorization = request.headers.get("authorization");
      const req = (serverContext as { req?: IncomingMessage }).req;
      const address = req ? options.clientAddress(req) : undefined;
      let principal: Principal | undefined;
      if (authorization) {
        try {
          principal = await authFailures.guard(address, () => authenticator.authenticate(authorization));
          principals.set(request, principal);
          if (principal.kind === "platform") {
            const record = requests.of(request);
            if (record) record.tenantId = principal.tenantId;
          }
        } catch (error) {
          if (isRateLimited(error)) {
            metrics?.rateLimited("http", "auth_failures");
            metrics?.error("RATE_LIMITED");
            const retryAfterMs = Number(error.extensions["retryAfterMs"]);
            return endResponse(
              requests.errorResponse(request, 429, [{ message: error.message, extensions: { code: "RATE_LIMITED", retryAfterMs } }], {
                "retry-after": String(retryAfterSecondsOf(retryAfterMs)),
              }),
            );
          }
          const { code, status } = errorCode(error);
          if (status >= 500) {
            // The key could not be checked (the accounts subgraph or its database is away): a
            // lookup is always safe to retry. The Authenticator logs such an outage once, when it
            // starts and when it ends; anything else is a failure of its own, logged here.
            if (!isAuthenticationUnavailable(error))
              (requests.of(request)?.logger ?? logger).error({ err: error }, "authentication failed");
            metrics?.error("SERVICE_UNAVAILABLE");
            return endResponse(unavailable(request));
          }
          metrics?.authFailure("http", "invalid_key");
          metrics?.error(code);
          return endResponse(requests.errorResponse(request, status, [{ message: (error as Error).message, extensions: { code } }]));
        }
      }
      if (!rateLimiter.enabled) return;
      const decision = await rateLimiter.consume(rateKeyOf(principal, address));
      if (decision.allowed) {
        rateHeaders.set(request, {
          "ratelimit-limit": String(decision.limit),
          "ratelimit-remaining": String(decision.remaining),
          "ratelimit-reset": String(Math.ceil(decision.resetMs / 1_000)),
        });
        return;
      }
      metrics?.rateLimited("http", "requests");
      metrics?.error("RATE_LIMITED");
      const error = rateLimited(decision);
      endResponse(
        requests.errorResponse(request, 429, [{ message: error.message, extensions: error.extensions as ErrorJson["extensions"] }], {
          "ratelimit-limit": String(decision.limit),
          "ratelimit-remaining": "0",
          "retry-after": String(retryAfterSeconds(decision)),
        }),
      );
    },
    onResponse({ request, response }) {
      const headers = rateHeaders.get(request);
      if (headers) for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    },
    onContextBuilding({ context, extendContext }) {
      const principal = context.request ? principals.get(context.request) : undefined;
      if (principal && !context.principal) extendContext({ principal });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refused = requireKey(args.contextValue, args.document, args.operationName);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = requireKey(args.contextValue, args.document, args.operationName);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}
