// The WebSocket server of a process that serves graphql-ws beside HTTP (the gateway and the
// balances subgraph), with a drain that ends in bounded time whatever the clients do.
//
// The door is ours, not ws's (`noServer`): once draining, an upgrade request is answered
// 503 with Retry-After, so a client that reconnects the moment its socket is closed (the
// dashboard does, as do graphql-ws clients with retries) reaches another instance rather than
// opening a socket here that the drain has already counted out. Such a socket used to be closed
// only by graphql-ws's dispose, which waits for the peer's close frame (ws's own timeout: 30 s)
// and held the process's stop that long.

import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";

/** How long a draining server waits for peers to acknowledge the close before cutting them off. */
export const CLOSE_GRACE_MS = 1_000;

export interface WebSocketDoor {
  /** Give this to graphql-ws's useServer. */
  readonly wss: WebSocketServer;
  /**
   * Refuses new sockets (503), closes every open one with `code` and `reason`, cuts off those
   * that have not acknowledged within CLOSE_GRACE_MS, then runs `dispose` (graphql-ws's).
   */
  drain(code: number, reason: string, dispose: () => Promise<void> | void): Promise<void>;
}

export function webSocketDoor(httpServer: Server, options: { path: string; maxPayload: number }): WebSocketDoor {
  const wss = new WebSocketServer({ noServer: true, path: options.path, maxPayload: options.maxPayload });
  let accepting = true;
  httpServer.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!accepting) return refuse(socket);
    // ws answers a path other than options.path with 400, as when it owned the listener.
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });

  return {
    wss,
    async drain(code, reason, dispose) {
      accepting = false;
      // An upgrade completes synchronously (no verifyClient, no compression to negotiate), so
      // from here on this set only shrinks.
      const sockets = [...wss.clients];
      const closed = sockets.map(closedPromise);
      for (const socket of sockets) socket.close(code, reason);
      const grace = setTimeout(() => sockets.forEach((socket) => socket.terminate()), CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(grace);
      await dispose();
    },
  };
}

const REFUSAL = JSON.stringify({ status: "draining" });

function refuse(socket: Duplex): void {
  socket.once("error", () => socket.destroy());
  socket.once("finish", () => socket.destroy());
  socket.end(
    "HTTP/1.1 503 Service Unavailable\r\n" +
      "Connection: close\r\n" +
      "Retry-After: 1\r\n" +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(REFUSAL)}\r\n` +
      "\r\n" +
      REFUSAL,
  );
}

function closedPromise(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === socket.CLOSED) resolve();
    else socket.once("close", () => resolve());
  });
}
