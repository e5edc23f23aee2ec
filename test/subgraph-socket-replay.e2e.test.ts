// Replaying a captured gateway socket against the balances subgraph's graphql-ws endpoint. A
// proxy between a gateway and the subgraph records the gateway's real messages (its signed
// connection_init and a caller's signed subscribe); the test replays them on a socket of its own.
// A replay inside the signature's lifetime is accepted (nothing tells it from the gateway), but
// it must not outlive that lifetime: the gateway keeps its own socket signed, a replay cannot.

import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import type { RunningGateway } from "../gateway/server.ts";
import { SUBGRAPHS } from "../subgraphs/index.ts";
import { signPrincipal } from "../subgraphs/shared/auth/signature.ts";
import type { Dependencies } from "../subgraphs/shared/context.ts";
import { serveSubgraph, type RunningSubgraph } from "../subgraphs/shared/server.ts";
import { buildSubgraph } from "../subgraphs/shared/subgraph.ts";
import { BalanceChangedIdsDocument } from "./generated/graphql.ts";
import { commitSeries } from "./support/balance-events.ts";
import { newPlatform, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { RecordingProxy } from "./support/recording-proxy.ts";
import { connect, eventHub, extraGateway, positioned, Recorder, until, wsUrl, type TestWsClient } from "./support/subscriptions.ts";

/** Short, so the test sees signatures expire; the same on the gateway and the subgraph. */
const SKEW_MS = 3_000;

let platform: RunningPlatform;
let balances: RunningSubgraph;
let proxy: RecordingProxy;
let gateway: RunningGateway;
let tenant: TestTenant;
const sockets: WebSocket[] = [];
const clients: TestWsClient[] = [];

beforeAll(async () => {
  platform = await testPlatform();
  const deps: Dependencies = { ...platform.deps!, config: { ...platform.deps!.config, SIGNATURE_MAX_SKEW_MS: SKEW_MS } };
  balances = await serveSubgraph({ name: "balances", schema: await buildSubgraph(SUBGRAPHS.balances), deps, host: "127.0.0.1", port: 0 });
  proxy = await RecordingProxy.start(balances.url);
  gateway = await extraGateway(platform, {
    SIGNATURE_MAX_SKEW_MS: SKEW_MS,
    subgraphUrls: { ...platform.config.subgraphUrls, balances: proxy.url },
  });
  tenant = await newPlatform("Socket Replay");
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await Promise.all(clients.map((client) => client.dispose()));
  await gateway?.stop();
  await proxy?.stop();
  await balances?.stop();
});

interface Message {
  readonly id?: string;
  readonly type: string;
  readonly payload?: { query?: string; extensions?: unknown } & Record<string, unknown>;
}

/** A graphql-ws socket of the test's own to the subgraph, speaking the protocol by hand. */
function rawSocket() {
  const socket = new WebSocket(wsUrl(balances.url), "graphql-transport-ws");
  sockets.push(socket);
  const received: Message[] = [];
  const state = { closed: undefined as { code: number; reason: string } | undefined };
  socket.on("message", (data) => received.push(JSON.parse(String(data)) as Message));
  socket.on("close", (code, reason) => (state.closed = { code, reason: String(reason) }));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return { socket, received, state, opened };
}

const parsed = () => proxy.messages.map((text) => JSON.parse(text) as Message);
const isSubscription = (message: Message) => message.type === "subscribe" && /^\s*subscription\b/.test(message.payload?.query ?? "");

describe("a replayed gateway socket on the balances subgraph", () => {
  it("is cut off once its signature is older than SIGNATURE_MAX_SKEW_MS, while the gateway's own socket streams on", async () => {
    const client = connect(gateway.url, tenant.key);
    clients.push(client);
    const ready = positioned(gateway);
    const stream = new Recorder(client.client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await until(() => parsed().some(isSubscription), "the gateway's subscribe message");
    // Its signature was made before this moment, so it is at least as old as the time since.
    const subscribeSeenAt = Date.now();

    // The replay, at once: the captured connection_init, then the captured subscribe.
    const init = parsed().find((message) => message.type === "connection_init")!;
    const subscribe = parsed().find(isSubscription)!;
    const replayed = rawSocket();
    await replayed.opened;
    replayed.socket.send(JSON.stringify(init));
    await until(
      () => replayed.received.some((message) => message.type === "connection_ack") || replayed.state.closed !== undefined,
      "the replayed socket's acknowledgement",
    );
    expect(replayed.received.map((message) => message.type)).toEqual(["connection_ack"]);
    replayed.socket.send(JSON.stringify(subscribe));
    await ready();
    // Inside the signature's lifetime the replay is indistinguishable: the subgraph streams it.
    await until(
      () => eventHub(balances).subscriberCount(tenant.accountId) >= 2 || replayed.received.some((message) => message.type === "error"),
      "the replayed subscription",
    );
    expect(replayed.received.filter((message) => message.type === "error")).toEqual([]);

    await until(() => replayed.state.closed !== undefined, "the replayed socket to be closed", SKEW_MS + 15_000);
    expect(replayed.state.closed).toEqual({ code: 4403, reason: expect.stringMatching(/signature expired/i) });
    await until(() => eventHub(balances).subscriberCount(tenant.accountId) === 1, "the replayed subscription to end");

    // The gateway's socket, as old as the replayed one, was kept signed: still open, still streaming.
    const [event] = await commitSeries(platform.deps!.db, { tenantId: tenant.accountId, accountId: tenant.accountId }, 1);
    expect((await stream.received(1)).map((data) => data.balanceChanged.id)).toEqual([event]);
    expect(proxy.upstreamCloses).toEqual([]);
    expect(client.closes).toEqual([]);

    // The captured subscribe, now stale, is refused even on a socket the gateway just signed. (The
    // replayed socket was cut when its connection_init's signature expired; the subscribe was
    // signed later, so on a busy machine it can still be fresh here: wait until it cannot be.)
    await until(() => Date.now() - subscribeSeenAt > SKEW_MS + 500, "the captured subscribe's signature to expire", SKEW_MS + 15_000);
    const fresh = rawSocket();
    await fresh.opened;
    fresh.socket.send(
      JSON.stringify({ type: "connection_init", payload: signPrincipal({ kind: "gateway" }, platform.config.gatewaySecret, undefined) }),
    );
    await until(() => fresh.received.some((message) => message.type === "connection_ack"), "the fresh socket's acknowledgement");
    fresh.socket.send(JSON.stringify({ ...subscribe, id: "stale" }));
    await until(() => fresh.received.some((message) => message.id === "stale"), "an answer to the stale subscribe");
    const answer = fresh.received.find((message) => message.id === "stale")!;
    expect(answer.type).toBe("error");
    expect((answer.payload as unknown as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(eventHub(balances).subscriberCount(tenant.accountId)).toBe(1);
    stream.stop();
  });
});
