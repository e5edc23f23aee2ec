// The gateway's HTTP edge, as runtime plugins: liveness and readiness, request bodies (size
// limit, Content-Encoding, charset, JSON, no batches: typed 4xx with a `reason`, never a 5xx or
// an HTML page for a client's mistake), and subscriptions, which are served over graphql-ws only.

import { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { GraphQLError } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { RequestLog } from "./request-log.ts";
import type { GatewayMetrics } from "../metrics.ts";

export interface HttpEdgeOptions {
  readonly graphqlEndpoint: string;
  readonly maxBodyBytes: number;
  /** Where each subgraph answers its own /readyz. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** True once the gateway is stopping: /readyz then answers 503 while it drains. */
  readonly draining: () => boolean;
  /** Answers refusals with the request id. */
  readonly requests: RequestLog;
  /** Counts the refusals by their code (absent: METRICS_ENABLED=false). */
  readonly metrics?: Pick<GatewayMetrics, "error"> | undefined;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

class BodyRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

const DECODERS: Readonly<Record<string, (() => NodeJS.ReadWriteStream) | undefined>> = {
  identity: undefined,
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Ready once the supergraph is loaded, which it is by the time this plugin serves anything: the
 * gateway's readiness is its own, as Apollo Router's and Hive Gateway's are. A subgraph that does
 * not answer makes it `degraded`, not unready: every gateway replica shares its subgraphs, so
 * taking them out of rotation for one subgraph would turn that subgraph's outage into an outage of
 * the whole API, while the gateway still serves everything the other subgraphs answer (and a
 * typed, retryable `SERVICE_UNAVAILABLE` for the rest). The body names each subgraph's state.
 */
async function readinessOf(subgraphUrls: Readonly<Record<string, string>>): Promise<Response> {
  const checks = await Promise.all(
    Object.entries(subgraphUrls).map(async ([name, url]) => {
      const ok = await fetch(url.replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.ok)
        .catch(() => false);
      return [name, ok ? "ready" : "unreachable"] as const;
    }),
  );
  const every = checks.every(([, status]) => status === "ready");
  return json(200, { status: every ? "ready" : "degraded", supergraph: "loaded", subgraphs: Object.fromEntries(checks) });
}

function tooLarge(max: number): BodyRefusal {
  return new BodyRefusal(413, `Request body larger than ${max} bytes`, "BODY_TOO_LARGE");
}

/**
 * The body as UTF-8 text, decoded from its Content-Encoding, at most `max` bytes once decoded
 * (reading stops there); a refusal says what the client got wrong.
 */
async function readBody(request: Request, max: number): Promise<string> {
  const charset = /;\s*charset=("?)([^";]+)\1/i.exec(request.headers.get("content-type") ?? "")?.[2]?.toLowerCase();
  if (charset && charset !== "utf-8" && charset !== "utf8")
    throw new BodyRefusal(415, "Unsupported charset: send UTF-8 JSON", "UNSUPPORTED_CHARSET");
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (!(encoding in DECODERS))
    throw new BodyRefusal(415, "Unsupported Content-Encoding: use gzip, deflate or br, or none", "UNSUPPORTED_ENCODING");
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (encoding === "identity" && declared > max) throw tooLarge(max);
  // The common case, a plain body of a declared length within bounds: read it whole.
  if (encoding === "identity" && declared <= max) return request.text();
  if (!request.body) return "";
  let stream: AsyncIterable<Uint8Array> = request.body as unknown as AsyncIterable<Uint8Array>;
  const decoder = DECODERS[encoding];
  if (decoder) stream = Readable.from(stream).pipe(decoder()) as unknown as AsyncIterable<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += chunk.byteLength;
      if (size > max) throw tooLarge(max);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof BodyRefusal) throw error;
    throw new BodyRefusal(400, "Request body could not be read (is its Content-Encoding right?)", "BODY_UNREADABLE");
  }
  return Buffer.concat(chunks).toString("utf8");
}

const isJsonPost = (request: Request) => request.method === "POST" && /json/i.test(request.headers.get("content-type") ?? "");

type Refuse = (request: Request, status: number, message: string, reason: string) => Response;

async function parseJsonBody(request: Request, maxBodyBytes: number, refusal: Refuse): Promise<{ query?: string } | Response> {
  let text: string;
  try {
    text = await readBody(request, maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyRefusal) return refusal(request, error.status, error.message, error.reason);
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return refusal(request, 400, "Request body is not valid JSON", "BODY_NOT_JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return refusal(request, 400, "The request body must be one JSON object: { query, operationName, variables }", "BODY_NOT_JSON");
  }
  return body as { query?: string };
}

export function useHttpEdge(options: HttpEdgeOptions): GatewayPlugin {
  const { metrics } = options;
  const refusal: Refuse = (request, status, message, reason) => {
    metrics?.error("BAD_USER_INPUT");
    return options.requests.errorResponse(request, status, [{ message, extensions: { code: "BAD_USER_INPUT", reason } }]);
  };
  // Yoga wraps every request body in a size-limiting TransformStream (its maxRequestBodySize,
  // which the gateway runtime does not expose): a stream pipeline, an AbortController and a
  // DOMException per request, some 5% of the gateway's CPU on the federation benchmark. Our parser
  // enforces MAX_QUERY_BYTES itself, after decompression, which Yoga's does not; so it is set
  // again by a plugin that comes after Yoga's, undoing the wrapper.
  const bodyParser: GatewayPlugin = {
    onRequestParse({ request, setRequestParser }) {
      if (isJsonPost(request)) setRequestParser((request) => parseJsonBody(request, options.maxBodyBytes, refusal));
    },
  };
  return {
    onPluginInit({ plugins }) {
      plugins.push(bodyParser as (typeof plugins)[number]);
    },
    onRequest({ url, endResponse }) {
      if (url.pathname === "/healthz") return endResponse(json(200, { status: "ok" }));
      if (url.pathname === "/readyz") {
        // A stopping gateway leaves its load balancer's set before its connections drain.
        if (options.draining()) return endResponse(json(503, { status: "draining" }));
        return readinessOf(options.subgraphUrls).then(endResponse);
      }
    },
    onRequestParse({ request, endResponse }) {
      if (!isJsonPost(request)) return;
      // A declared length over the bound is refused before any plugin reads the body.
      const declared = Number(request.headers.get("content-length") ?? Number.NaN);
      const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
      if (encoding === "identity" && declared > options.maxBodyBytes) {
        endResponse(refusal(request, 413, `Request body larger than ${options.maxBodyBytes} bytes`, "BODY_TOO_LARGE"));
      }
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      // graphql-ws operations carry their socket in the context; an HTTP request does not.
      if ((args.contextValue as { socket?: unknown }).socket) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            `Subscriptions are served over graphql-ws (the graphql-transport-ws protocol) at ws://…${options.graphqlEndpoint}`,
            {
              extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
            },
          ),
        ],
      });
    },
  };
}
