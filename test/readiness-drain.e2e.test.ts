// A stopping process leaves the ready set before it drains: from the moment stop() begins (on
// SIGTERM), /readyz answers 503 "draining" on the gateway and on a subgraph, while their
// WebSockets are still closing. Kubernetes' preStop pause covers the endpoint update that follows
// a pod's deletion (deploy/, docs/deploy.md); this covers a probe, or the gateway's own readiness
// check of a subgraph, that lands during the drain.
//
// The drain is held open by a client that stops reading: its socket cannot acknowledge the close,
// so the process waits out its close grace (a second) before cutting it off.

import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import { privatePlatform, wsUrl } from "./support/subscriptions.ts";

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

async function readiness(httpUrl: string): Promise<{ status: number; body: { status: string } }> {
  const response = await fetch(httpUrl.replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as { status: string } };
}

describe("readiness while draining", () => {
  it("a stopping gateway answers /readyz with 503 draining before its sockets have closed", async () => {
    const gateway = platform.gateway!;
    expect((await readiness(gateway.url)).status).toBe(200);
    await stalledSocket(gateway.url);

    let stopped = false;
    const stopping = gateway.stop().then(() => (stopped = true));
    const during = await readiness(gateway.url);
    expect(stopped).toBe(false);
    expect(during).toEqual({ status: 503, body: { status: "draining" } });
    await stopping;
  });

  it("a stopping subgraph answers /readyz with 503 draining before its sockets have closed", async () => {
    const balances = platform.subgraphs.find((subgraph) => subgraph.name === "balances")!;
    expect((await readiness(balances.url)).status).toBe(200);
    await stalledSocket(balances.url);

    let stopped = false;
    const stopping = balances.stop().then(() => (stopped = true));
    const during = await readiness(balances.url);
    expect(stopped).toBe(false);
    expect(during).toEqual({ status: 503, body: { status: "draining" } });
    await stopping;
  });
});
