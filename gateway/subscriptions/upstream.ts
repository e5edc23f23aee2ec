// The gateway's graphql-ws connections to subgraphs: one socket per subgraph, opened on the first
// operation and multiplexing every client's subscriptions to it.
//
// The socket is signed as the gateway (connectionParams); each operation carries its caller's
// signed principal in `extensions`, like the header of an HTTP call. graphql-ws's own retry is
// off: it would replay each subscribe message as first sent (stale signature, stale position),
// so a lost socket surfaces to each subscription, which resubscribes from its last cursor (see
// federated-subscription.ts) once the shared retry gate opens: one connection attempt per
// backoff step, however many subscriptions wait. A peer that stops answering pings is cut off.
//
// A subgraph closes a socket whose gateway signature is older than SIGNATURE_MAX_SKEW_MS (so a
// replayed socket dies with its captured signature), so this one renews it: a graphql-ws ping
// carrying a fresh signature every third of that time.

import { createClient, type Client, type FormattedExecutionResult, type Sink, type SubscribePayload } from "graphql-ws";
import WebSocket from "ws";
import type { Principal } from "../../subgraphs/shared/auth/principal.ts";
import { PRINCIPAL_EXTENSION, signPrincipal } from "../../subgraphs/shared/auth/signature.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";

export interface UpstreamOptions {
  readonly urls: Readonly<Record<string, string>>;
  readonly gatewaySecret: string;
  readonly keepAliveMs: number;
  /** SIGNATURE_MAX_SKEW_MS: how long the subgraph honours the socket's newest signature. */
  readonly signatureMaxSkewMs: number;
  readonly logger: Logger;
}

export type UpstreamResult = FormattedExecutionResult<Record<string, unknown>>;

const MAX_RETRY_DELAY_MS = 3_000;

/** True for what graphql-ws reports when a socket is lost (a close event or a socket error). */
export function isConnectionLoss(error: unknown): boolean {
  return !Array.isArray(error);
}

export class UpstreamClient {
  private readonly client: Client;
  private failures = 0;
  private gate: Promise<void> | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private lost = false;
  private stopping = false;

  constructor(
    readonly name: string,
    url: string,
    private readonly options: UpstreamOptions,
  ) {
    const logger = options.logger.child({ upstream: name });
    this.client = createClient({
      url: url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      lazy: true,
      // Keep the socket a moment after the last subscription ends: resubscribes are common.
      lazyCloseTimeout: 5_000,
      retryAttempts: 0,
      keepAlive: options.keepAliveMs,
      // The socket is the gateway's (signed for no operation); each operation carries its own.
      connectionParams: () => signPrincipal({ kind: "gateway" }, options.gatewaySecret, undefined),
      on: {
        connected: (socket) => {
          this.keepSigned(socket as WebSocket);
          if (this.lost) logger.info("subgraph socket back; subscriptions resume from their positions");
          this.lost = false;
          this.failures = 0;
        },
        ping: (received) => {
          if (received || this.pongTimer) return;
          this.pongTimer = setTimeout(() => {
            logger.warn("no pong: cutting the socket off");
            this.client.terminate();
          }, options.keepAliveMs);
        },
        pong: (received) => {
          if (!received) return;
          clearTimeout(this.pongTimer);
          this.pongTimer = undefined;
        },
        closed: (event) => {
          clearTimeout(this.pongTimer);
          this.pongTimer = undefined;
          clearInterval(this.renewal);
          const { code, reason } = (event ?? {}) as { code?: number; reason?: string };
          // 1000: closed by us, idle. Anything else while running is a loss to recover from.
          if (code === 1000 || this.stopping) return logger.debug({ code, reason }, "subgraph socket closed");
          if (!this.lost) logger.warn({ code, reason }, "subgraph socket lost; reconnecting");
          this.lost = true;
        },
      },
    });
  }

  /** Renews the socket's gateway signature while it is open (see the header). */
  private keepSigned(socket: WebSocket): void {
    clearInterval(this.renewal);
    this.renewal = setInterval(
      () => {
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.send(JSON.stringify({ type: "ping", payload: signPrincipal({ kind: "gateway" }, this.options.gatewaySecret, undefined) }));
      },
      Math.max(1, Math.floor(this.options.signatureMaxSkewMs / 3)),
    );
    this.renewal.unref();
  }

  /** Subscribes as `principal`; returns the function that unsubscribes. */
  subscribe(principal: Principal, request: Omit<SubscribePayload, "extensions">, sink: Sink<UpstreamResult>): () => void {
    const payload: SubscribePayload = {
      ...request,
      extensions: { [PRINCIPAL_EXTENSION]: signPrincipal(principal, this.options.gatewaySecret, request) },
    };
    return this.client.subscribe(payload, sink);
  }

  /** A single-result operation over the same socket. */
  query(principal: Principal, request: Omit<SubscribePayload, "extensions">): Promise<UpstreamResult> {
    return new Promise((resolve, reject) => {
      let result: UpstreamResult | undefined;
      this.subscribe(principal, request, {
        next: (value) => (result = value),
        error: reject,
        complete: () => (result ? resolve(result) : reject(new Error(`no result from ${this.name}`))),
      });
    });
  }

  /**
   * Resolves when a lost subscription should try again. Everyone who lost the same socket waits
   * for the same timer; each failed attempt doubles the wait, up to a few seconds.
   */
  retryGate(): Promise<void> {
    this.gate ??= new Promise<void>((resolve) => {
      const delay = Math.min(100 * 2 ** this.failures, MAX_RETRY_DELAY_MS) * (0.75 + Math.random() / 2);
      this.failures += 1;
      setTimeout(() => {
        this.gate = undefined;
        resolve();
      }, delay).unref();
    });
    return this.gate;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.pongTimer);
    clearInterval(this.renewal);
    await this.client.dispose();
  }
}

export class Upstreams {
  private readonly clients = new Map<string, UpstreamClient>();

  constructor(private readonly options: UpstreamOptions) {}

  for(name: string): UpstreamClient {
    let client = this.clients.get(name);
    if (!client) {
      const url = this.options.urls[name];
      if (!url) throw new Error(`no URL configured for subgraph ${name}`);
      client = new UpstreamClient(name, url, this.options);
      this.clients.set(name, client);
    }
    return client;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.stop()));
  }
}
