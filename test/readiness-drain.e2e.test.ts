// A stopping process leaves the ready set before it drains: from the moment stop() begins (on
// SIGTERM), /readyz answers 503 "draining" on the gateway and on a subgraph, while their
// WebSockets are still closing. Kubernetes' preStop pause covers the endpoint update that follows
// a pod's deletion (deploy/, docs/deploy.md); this covers a probe, or the gateway's own readiness
// check of a subgraph, that lands during the drain.
//
// A connection kept alive after the request it carried during the drain is closed by the gateway
// as soon as that request is answered, not after the keep-alive timeout.
//
// The drain is held open by a client that stops reading: its socket cannot acknowledge the close,
// so the process waits out its close grace (a second) before cutting it off. A WebSocket that
// opens meanwhile is refused (503, Retry-After), so a client that reconnects at once goes
// elsewhere instead of holding the stop; a client that sent half a request and went quiet is cut
// off after SHUTDOWN_GRACE_MS.

import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import { extraGateway, privatePlatform, until, wsUrl } from "./support/subscriptions.ts";

let platform: RunningPlatform;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  platform = await privatePlatform();
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await platform.stop();
});

/** A graphql-ws socket that then stops reading (so it never acknowledges a close). */
async function stalledSocket(httpUrl: string): Promise<void> {
  const socket = new WebSocket(wsUrl(httpUrl), "graphql-transport-ws");
  sockets.push(socket);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
}

/** How the server answers a WebSocket opened now: its HTTP status when it refuses, else "open". */
async function upgradeAnswer(httpUrl: string): Promise<{ status: number | "open"; retryAfter?: string; body?: string }> {
  const socket = new WebSocket(wsUrl(httpUrl), "graphql-transport-ws");
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ status: "open" }));
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, retryAfter: response.headers["retry-after"], body }));
    });
    socket.once("error", reject);
  });
}

async function readiness(httpUrl: string): Promise<{ status: number; body: { status: string } }> {
  const response = await fetch(httpUrl.replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as { status: string } };
}

describe("readiness while draining", () => {
  it("a stopping gateway answers /readyz with 503 draining before its sockets have closed", async () => {
    const gateway = platform.gateway!;
    expect((await readiness(gateway.url)).status).toBe(200);
    expect(await upgradeAnswer(gateway.url)).toEqual({ status: "open" });
    await stalledSocket(gateway.url);

    let stopped = false;
    const stopping = gateway.stop().then(() => (stopped = true));
    // Both at once: the stalled socket holds the drain for its close grace (a second) only.
    const [during, upgrade] = await Promise.all([readiness(gateway.url), upgradeAnswer(gateway.url)]);
    expect(stopped).toBe(false);
    expect(during).toEqual({ status: 503, body: { status: "draining" } });
    // Refused, where it used to open a socket the drain had already counted out.
    expect(upgrade).toEqual({ status: 503, retryAfter: "1", body: '{"status":"draining"}' });
    await stopping;
  });

  it("a stopping subgraph answers /readyz with 503 draining before its sockets have closed", async () => {
    const balances = platform.subgraphs.find((subgraph) => subgraph.name === "balances")!;
    expect((await readiness(balances.url)).status).toBe(200);
    expect(await upgradeAnswer(balances.url)).toEqual({ status: "open" });
    await stalledSocket(balances.url);

    let stopped = false;
    const stopping = balances.stop().then(() => (stopped = true));
    // Both at once: the stalled socket holds the drain for its close grace (a second) only.
    const [during, upgrade] = await Promise.all([readiness(balances.url), upgradeAnswer(balances.url)]);
    expect(stopped).toBe(false);
    expect(during).toEqual({ status: 503, body: { status: "draining" } });
    // Refused, where it used to open a socket the drain had already counted out.
    expect(upgrade).toEqual({ status: 503, retryAfter: "1", body: '{"status":"draining"}' });
    await stopping;
  });

  it("a stopping gateway closes a kept-alive connection once the request it was serving is answered", async () => {
    const gateway = await extraGateway(platform, {});
    // Like a browser's, this agent keeps an idle connection open for as long as the server does.
    const agent = new Agent({ keepAlive: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const body = JSON.stringify({ query: "{ __typename }" });
      const received = new Promise((resolve) => gateway.httpServer.once("request", resolve));
      let stopping: Promise<void> | undefined;
      let socket: Socket | undefined;
      const status = await new Promise<number>((resolve, reject) => {
        const call = request(
          {
            host: "127.0.0.1",
            port: gateway.port,
            path: "/graphql",
            method: "POST",
            agent,
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          },
          (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode!));
          },
        );
        call.on("socket", (assigned) => (socket = assigned));
        call.on("error", reject);
        // Part of the body now, so the request is in flight when stop() begins; the rest after.
        call.write(body.slice(0, 5));
        void received.then(() => {
          stopping = gateway.stop();
          call.end(body.slice(5));
        });
      });
      expect(status).toBeGreaterThan(0);
      // Far below the gateway's keep-alive timeout (65 s), which the connection waited out before.
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("the gateway did not stop within 30 s")), 30_000);
      });
      await Promise.race([stopping, late]);
      // The server ended the connection, not the client.
      await new Promise((resolve) => (socket!.destroyed ? resolve(undefined) : socket!.once("close", resolve)));
    } finally {
      clearTimeout(timer);
      agent.destroy();
      await gateway.stop();
    }
  });

  it("a stopping gateway cuts off a connection holding half a request once SHUTDOWN_GRACE_MS has passed", async () => {
    const gateway = await extraGateway(platform, { SHUTDOWN_GRACE_MS: 500 });
    const client = connect(gateway.port, "127.0.0.1");
    let timer: NodeJS.Timeout | undefined;
    try {
      const arrived = new Promise<Socket>((resolve) => gateway.httpServer.once("connection", resolve));
      await new Promise((resolve, reject) => client.once("connect", resolve).once("error", reject));
      const serverSide = await arrived;
      // Headers begun, never finished: not idle, so close() alone would wait for headersTimeout (66 s).
      client.write("POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n");
      // Read by the server before it stops (else the connection is idle and closed at once).
      await until(() => serverSide.bytesRead > 0, "the gateway to read the request's first bytes", 30_000);
      const clientClosed = new Promise((resolve) => client.once("close", resolve));
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("the gateway did not stop within 30 s")), 30_000);
      });
      await Promise.race([gateway.stop(), late]);
      await Promise.race([clientClosed, late]);
    } finally {
      clearTimeout(timer);
      client.destroy();
      await gateway.stop();
    }
  });
});
