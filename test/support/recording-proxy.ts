// A transparent proxy in front of one subgraph that records what the gateway sends it: HTTP
// requests (method, path, headers, body) and graphql-ws messages. Tests point a gateway at it
// to capture real signed traffic and replay it, as someone on the internal network could.

import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Codes a close frame may not carry: the other leg is cut off instead. */
const UNSENDABLE_CLOSE_CODES = new Set([1005, 1006, 1015]);

export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  /** Text messages the gateway sent over graphql-ws, in order. */
  readonly messages: string[] = [];
  /** Close codes the subgraph sent on proxied sockets. */
  readonly upstreamCloses: number[] = [];
  /** While set, HTTP requests are answered with this status and never reach the subgraph. */
  failWith: number | undefined;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(targetUrl: string): Promise<RecordingProxy> {
    const target = new URL(targetUrl);
    const server = createServer();
    const wss = new WebSocketServer({ server, path: target.pathname });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const proxy = new RecordingProxy(server, wss, `http://127.0.0.1:${port}${target.pathname}`);

    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        proxy.requests.push({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body });
        if (proxy.failWith) {
          res.writeHead(proxy.failWith, { "content-type": "text/plain" }).end("unavailable");
          return;
        }
        const forwarded = httpRequest(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (upstream) => {
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(res);
          },
        );
        forwarded.on("error", () => res.writeHead(502).end());
        forwarded.end(body);
      });
    });

    wss.on("connection", (client, req) => {
      const protocols = String(req.headers["sec-websocket-protocol"] ?? "")
        .split(",")
        .map((protocol) => protocol.trim())
        .filter(Boolean);
      const upstream = new WebSocket(targetUrl.replace(/^http/, "ws"), protocols);
      const pending: string[] = [];
      client.on("message", (data) => {
        const text = String(data);
        proxy.messages.push(text);
        if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
        else pending.push(text);
      });
      upstream.on("open", () => pending.splice(0).forEach((text) => upstream.send(text)));
      upstream.on("message", (data) => client.readyState === WebSocket.OPEN && client.send(String(data)));
      upstream.on("close", (code, reason) => {
        proxy.upstreamCloses.push(code);
        if (UNSENDABLE_CLOSE_CODES.has(code)) client.terminate();
        else client.close(code, reason);
      });
      client.on("close", (code, reason) => {
        if (UNSENDABLE_CLOSE_CODES.has(code)) upstream.terminate();
        else if (upstream.readyState === WebSocket.OPEN) upstream.close(code, reason);
        else upstream.terminate();
      });
      upstream.on("error", () => client.terminate());
      client.on("error", () => upstream.terminate());
    });
    return proxy;
  }

  /** The recorded HTTP requests whose body's query matches. */
  requestsFor(query: RegExp): RecordedRequest[] {
    return this.requests.filter((request) => query.test(String((JSON.parse(request.body || "{}") as { query?: unknown }).query)));
  }

  async stop(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
