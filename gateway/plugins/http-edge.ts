// The gateway's HTTP edge, as runtime plugins: liveness and readiness, request bodies (size
// limit, JSON, no batches: typed 4xx, never a 5xx for a client's mistake), and subscriptions,
// which are served over graphql-ws only.

import { GraphQLError } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

export interface HttpEdgeOptions {
  readonly graphqlEndpoint: string;
  readonly maxBodyBytes: number;
  /** Where each subgraph answers its own /readyz. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

function refusal(status: number, message: string): Response {
  return json(status, { errors: [{ message, extensions: { code: "BAD_USER_INPUT" } }] });
}

async function readinessOf(subgraphUrls: Readonly<Record<string, string>>): Promise<Response> {
  const checks = await Promise.all(
    Object.entries(subgraphUrls).map(async ([name, url]) => {
      const ok = await fetch(url.replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.ok)
        .catch(() => false);
      return [name, ok ? "ready" : "unreachable"] as const;
    }),
  );
  const ready = checks.every(([, status]) => status === "ready");
  return json(ready ? 200 : 503, { status: ready ? "ready" : "not ready", supergraph: "loaded", subgraphs: Object.fromEntries(checks) });
}

/** The body as text, or undefined once it is longer than `max` bytes (without reading the rest). */
async function readLimited(request: Request, max: number): Promise<string | undefined> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > max) return undefined;
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function useHttpEdge(options: HttpEdgeOptions): GatewayPlugin {
  return {
    onRequest({ url, endResponse }) {
      if (url.pathname === "/healthz") return endResponse(json(200, { status: "ok" }));
      if (url.pathname === "/readyz") return readinessOf(options.subgraphUrls).then(endResponse);
    },
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== "POST" || !/json/i.test(request.headers.get("content-type") ?? "")) return;
      setRequestParser(async (request) => {
        const text = await readLimited(request, options.maxBodyBytes);
        if (text === undefined) return refusal(413, `Request body larger than ${options.maxBodyBytes} bytes`);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return refusal(400, "Request body is not valid JSON");
        }
        if (!body || typeof body !== "object" || Array.isArray(body)) {
          return refusal(400, "The request body must be one JSON object: { query, operationName, variables }");
        }
        return body as { query?: string };
      });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      // graphql-ws operations carry their socket in the context; an HTTP request does not.
      if ((args.contextValue as { socket?: unknown }).socket) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(`Subscriptions are served over graphql-ws (the graphql-transport-ws protocol) at ws://…${options.graphqlEndpoint}`, {
            extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
          }),
        ],
      });
    },
  };
}
