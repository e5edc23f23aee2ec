// Request ids and the access log, as runtime plugins.
//
//   - Every response carries `x-request-id`: the caller's own when it is a short token, else a
//     new UUID (subgraphs/shared/request-id.ts). Every subgraph request of it carries the same
//     header (over graphql-ws, `extensions.requestId`: transport/ws.ts), and every error the
//     client gets carries it in `extensions.requestId`, including the answers plugins make
//     themselves (errorResponse).
//   - Every request is one line at info level once its response is ready ("request"): method,
//     path, operation name and type, status, duration, tenant, request id and error codes; never
//     the key or anything else of the Authorization header. Probes (/healthz, /readyz, /metrics)
//     only at debug level. graphql-ws operations have their own line (subscriptions/ws-server.ts).
//
// Hive Gateway's runtime has a request id plugin (its `requestId` option), left off in
// runtime.ts: it takes whatever the client sent, of any length and any characters, into the
// response and the logs (its generateRequestId is asked only when the header is absent), and it
// knows nothing of graphql-ws, error bodies or an access log. What it does besides, binding the id
// to the runtime's own per-request logger, is done here too, at debug level, where that logger
// says anything per request.

import { getOperationAST, type DocumentNode } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { LegacyLogger, type Logger as HiveLogger } from "@graphql-hive/logger";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import { REQUEST_ID_HEADER, requestIdFrom, RequestScope } from "../../subgraphs/shared/request-id.ts";

/** What the access log says of one HTTP request, filled in as it goes. */
export class RequestRecord extends RequestScope {
  readonly startedAt = performance.now();
  operationName: string | undefined;
  operationType: string | undefined;
  tenantId: string | undefined;
  errorCodes: string[] | undefined;

  constructor(
    requestId: string,
    logger: Logger,
    readonly method: string,
    readonly path: string,
  ) {
    super(requestId, logger);
  }
}

/** An error as a plugin answers it itself, before or beside GraphQL. */
export interface ErrorJson {
  readonly message: string;
  readonly extensions: { readonly code: string; readonly [key: string]: unknown };
}

/** Not worth a line at info: load balancers and scrapers ask every few seconds. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);

const durationMs = (since: number) => Math.round((performance.now() - since) * 10) / 10;

export class RequestLog {
  private readonly records = new WeakMap<Request, RequestRecord>();

  constructor(private readonly logger: Logger) {}

  of(request: Request | undefined): RequestRecord | undefined {
    return request && this.records.get(request);
  }

  /** An answer a plugin makes itself (401, 413, 429, 503…): each error carries the request id. */
  errorResponse(request: Request, status: number, errors: readonly ErrorJson[], headers: Record<string, string> = {}): Response {
    const record = this.records.get(request);
    let body = errors;
    if (record) {
      record.errorCodes = errors.map((error) => error.extensions.code);
      body = errors.map((error) => ({ ...error, extensions: { ...error.extensions, requestId: record.requestId } }));
    }
    return new Response(JSON.stringify({ errors: body }), {
      status,
      headers: { "content-type": "application/json; charset=utf-8", ...headers },
    });
  }

  /** Names the request's operation, for the access log. */
  private noteOperation(record: RequestRecord, document: DocumentNode, operationName: string | null | undefined): void {
    const operation = getOperationAST(document, operationName);
    record.operationType = operation?.operation;
    record.operationName = operation?.name?.value ?? operationName ?? undefined;
  }

  /** First among the plugins: every response, early ones included, gets its id and its line. */
  plugin(): GatewayPlugin {
    const { logger, records } = this;
    const bindHive = logger.isLevelEnabled("debug");
    return {
      onRequest({ request, url, serverContext }) {
        const record = new RequestRecord(requestIdFrom(request.headers.get(REQUEST_ID_HEADER)), logger, request.method, url.pathname);
        records.set(request, record);
        if (bindHive) {
          const context = serverContext as { log?: HiveLogger; logger?: unknown };
          if (context.log) {
            context.log = context.log.child({ requestId: record.requestId });
            context.logger = LegacyLogger.from(context.log);
          }
        }
      },
      onParams({ request, params }) {
        const record = records.get(request);
        if (record) record.operationName = params.operationName ?? undefined;
      },
      // Validation sees every parsed operation, the invalid ones too.
      onValidate: ({ context, params }) => {
        const record = records.get(context.request);
        if (record) this.noteOperation(record, params.documentAST, record.operationName);
      },
      onContextBuilding({ context, extendContext }) {
        const record = records.get(context.request);
        if (record) extendContext({ requestId: record.requestId });
      },
      onFetch({ context, options, setOptions }) {
        const requestId = (context as { requestId?: string } | undefined)?.requestId;
        if (requestId)
          setOptions({
            ...options,
            headers: { ...(options.headers as Record<string, string> | undefined), [REQUEST_ID_HEADER]: requestId },
          });
      },
      onResponse({ request, response }) {
        const record = records.get(request);
        if (!record) return;
        response.headers.set(REQUEST_ID_HEADER, record.requestId);
        const level = PROBES.has(record.path) ? "debug" : "info";
        if (!logger.isLevelEnabled(level)) return;
        logger[level](
          {
            requestId: record.requestId,
            method: record.method,
            path: record.path,
            operationName: record.operationName,
            operationType: record.operationType,
            status: response.status,
            durationMs: durationMs(record.startedAt),
            tenantId: record.tenantId,
            errorCodes: record.errorCodes,
          },
          "request",
        );
      },
    };
  }
}
