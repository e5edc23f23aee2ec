// Who may subscribe: the key in connectionParams, tenancy of the account, revocation while
// connected, and the subgraph's socket that only the gateway can use.

import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import type { RunningGateway } from "../gateway/server.ts";
import { PRINCIPAL_EXTENSION, signPrincipal } from "../subgraphs/shared/auth/signature.ts";
import {
  BalanceChangedCurrentDocument,
  BalanceChangedIdsDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
} from "./generated/graphql.ts";
import { idempotencyKey } from "./support/accounts.ts";
import { commitSeries } from "./support/balance-events.ts";
import { newPlatform, ok, type TestTenant } from "./support/client.ts";
import { ADMIN_API_KEY, testPlatform } from "./support/platform.ts";
import {
  connect,
  eventHub,
  extraGateway,
  Recorder,
  positioned,
  upstreamSubscribed,
  until,
  wsUrl,
  type TestWsClient,
} from "./support/subscriptions.ts";

let platform: RunningPlatform;
let alice: TestTenant;
let bob: TestTenant;
const clients: TestWsClient[] = [];
const gateways: RunningGateway[] = [];

function client(key: string | undefined, url = platform.gateway!.url): TestWsClient {
  const created = connect(url, key);
  clients.push(created);
  return created;
}

beforeAll(async () => {
  platform = await testPlatform();
  [alice, bob] = await Promise.all([newPlatform("Alice Platform"), newPlatform("Bob Platform")]);
});

afterAll(async () => {
  await Promise.all(clients.map((each) => each.dispose()));
  await Promise.all(gateways.map((gateway) => gateway.stop()));
});

type ErrorJson = { message: string; extensions?: { code?: string } };
const codesOf = (stream: Recorder<unknown>) =>
  stream.results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.["code"]));

describe("the key in connectionParams", () => {
  it.each([
    ["no key", undefined, /Missing API key/],
    ["a key that does not exist", "sk_test_0000000000000000000000000000000a", /Invalid API key/],
    ["garbage", "not-a-key", /Invalid API key/],
  ])("refuses the connection with %s (close 4401, not retried by graphql-ws)", async (_what, key, reason) => {
    const socket = client(key);
    const stream = new Recorder(socket.client, BalanceChangedIdsDocument, { accountId: alice.accountId });
    await stream.ended();
    expect(stream.error).toMatchObject({ code: 4401 });
    expect(socket.closes).toEqual([{ code: 4401, reason: expect.stringMatching(reason) }]);
  });

  it("refuses an Authorization value that is not a bearer token", async () => {
    const socket = connect(platform.gateway!.url, undefined, { connectionParams: { authorization: `Basic ${alice.key}` } });
    clients.push(socket);
    const stream = new Recorder(socket.client, BalanceChangedIdsDocument, { accountId: alice.accountId });
    await stream.ended();
    expect(socket.closes[0]?.code).toBe(4401);
  });
});

describe("tenancy", () => {
  it("answers NOT_FOUND for another tenant's account, exactly as for an account that does not exist", async () => {
    const socket = client(alice.key).client;
    const foreign = new Recorder(socket, BalanceChangedIdsDocument, { accountId: bob.accountId });
    const unknown = new Recorder(socket, BalanceChangedIdsDocument, { accountId: "acct_doesnotexist000000000000" });
    await Promise.all([foreign.ended(), unknown.ended()]);
    expect(codesOf(foreign)).toEqual(["NOT_FOUND"]);
    expect(codesOf(unknown)).toEqual(["NOT_FOUND"]);
    const message = (stream: Recorder<unknown>, id: string) => (stream.results[0]?.errors?.[0] as ErrorJson).message.replace(id, "ID");
    expect(message(foreign, bob.accountId)).toBe(message(unknown, "acct_doesnotexist000000000000"));
    expect(foreign.data).toEqual([]);
  });

  it("refuses another tenant's account when resuming with `after` too", async () => {
    const [event] = await commitSeries(platform.deps!.db, { tenantId: bob.accountId, accountId: bob.accountId }, 1);
    const stream = new Recorder(client(alice.key).client, BalanceChangedIdsDocument, { accountId: bob.accountId, after: event });
    await stream.ended();
    expect(codesOf(stream)).toEqual(["NOT_FOUND"]);
    expect(eventHub(platform).subscriberCount(bob.accountId)).toBe(0);
  });

  it("refuses another tenant's account asking for its balances (`current`), and shows none of them", async () => {
    await commitSeries(platform.deps!.db, { tenantId: bob.accountId, accountId: bob.accountId }, 1);
    const stream = new Recorder(client(alice.key).client, BalanceChangedCurrentDocument, { accountId: bob.accountId, current: true });
    await stream.ended();
    expect(codesOf(stream)).toEqual(["NOT_FOUND"]);
    expect(stream.data).toEqual([]);
  });

  it("gives the operator key no subscription (FORBIDDEN)", async () => {
    const stream = new Recorder(client(ADMIN_API_KEY).client, BalanceChangedIdsDocument, { accountId: alice.accountId });
    await stream.ended();
    expect(codesOf(stream)).toEqual(["FORBIDDEN"]);
  });
});

describe("a key revoked while connected", () => {
  it("closes its connections (4401) and ends their subscriptions; other keys stay", async () => {
    const gateway = await extraGateway(platform, { SUBSCRIPTION_AUTH_RECHECK_MS: 100, AUTH_CACHE_TTL_MS: 50 });
    gateways.push(gateway);
    const tenant = await newPlatform("Revoking");
    // A second key of the same platform, revoked through the API while it is subscribed.
    const second = await ok(CreateApiKeyDocument, { input: { name: "partner feed" }, idempotencyKey: idempotencyKey() }, tenant.key);
    const revokedSocket = client(second.createApiKey.secret!, gateway.url);
    const keptSocket = client(tenant.key, gateway.url);
    const ready = positioned(gateway);
    const ending = new Recorder(revokedSocket.client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    const staying = new Recorder(keptSocket.client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await ready(2);
    await upstreamSubscribed(platform, tenant.accountId, 2);

    await ok(RevokeApiKeyDocument, { id: second.createApiKey.apiKey.id }, tenant.key);

    await ending.ended(5_000);
    expect(revokedSocket.closes).toEqual([{ code: 4401, reason: "API key revoked or expired" }]);
    await until(() => eventHub(platform).subscriberCount(tenant.accountId) === 1, "the revoked key's upstream subscription to end");

    const [event] = await commitSeries(platform.deps!.db, { tenantId: tenant.accountId, accountId: tenant.accountId }, 1);
    expect((await staying.received(1)).map((data) => data.balanceChanged.id)).toEqual([event]);
    expect(ending.data).toEqual([]);
    expect(keptSocket.closes).toEqual([]);
  });
});

describe("the balances subgraph's socket", () => {
  const subscription = "subscription($a: ID!) { balanceChanged(accountId: $a) { id } }";
  // What `run` sends: a caller's signature is for exactly this operation.
  const operation = () => ({ query: subscription, variables: { a: alice.accountId } });

  function subgraphClient(connectionParams: Record<string, string>) {
    const balances = platform.subgraphs.find((subgraph) => subgraph.name === "balances")!;
    const closes: { code: number; reason: string }[] = [];
    const socket = createClient({
      url: wsUrl(balances.url),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams,
      on: { closed: (event) => void closes.push(event as { code: number; reason: string }) },
    });
    clients.push({ client: socket, closes, dispose: async () => socket.dispose() });
    return { socket, closes };
  }

  function run(socket: ReturnType<typeof createClient>, principal: Record<string, string> | undefined) {
    const messages: unknown[] = [];
    let ended: unknown;
    socket.subscribe(
      { ...operation(), extensions: principal ? { [PRINCIPAL_EXTENSION]: principal } : {} },
      { next: (value) => void messages.push(value), error: (error) => (ended = error ?? "error"), complete: () => (ended ??= "complete") },
    );
    return { messages, ended: () => ended };
  }

  const aliceAs = { kind: "platform", livemode: false, keyId: "key_x" } as const;
  const gatewaySigned = () => signPrincipal({ kind: "gateway" }, platform.config.gatewaySecret, undefined);

  it("streams to the gateway: a gateway-signed socket and a signed caller (the positive control)", async () => {
    const { socket } = subgraphClient(gatewaySigned());
    const op = run(socket, signPrincipal({ ...aliceAs, tenantId: alice.accountId }, platform.config.gatewaySecret, operation()));
    await upstreamSubscribed(platform, alice.accountId);
    const [event] = await commitSeries(platform.deps!.db, { tenantId: alice.accountId, accountId: alice.accountId }, 1);
    await until(() => op.messages.length > 0, "the event");
    expect(op.messages).toEqual([{ data: { balanceChanged: { id: event } } }]);
  });

  it.each([
    ["no signature", () => ({})],
    ["a signature made with another secret", () => signPrincipal({ kind: "gateway" }, "b".repeat(64), undefined)],
    [
      "a caller's principal instead of the gateway's",
      () => signPrincipal({ ...aliceAs, tenantId: alice.accountId }, platform.config.gatewaySecret, undefined),
    ],
  ])("refuses a socket with %s (4403)", async (_what, params) => {
    const { socket, closes } = subgraphClient(params());
    const op = run(socket, signPrincipal({ ...aliceAs, tenantId: alice.accountId }, platform.config.gatewaySecret, operation()));
    await until(() => op.ended() !== undefined, "the refusal");
    expect(closes[0]?.code).toBe(4403);
    expect(op.messages).toEqual([]);
  });

  it.each([
    ["without a caller", () => undefined],
    ["with a caller signed by another secret", () => signPrincipal({ ...aliceAs, tenantId: alice.accountId }, "c".repeat(64), operation())],
    [
      "signed for other variables",
      () =>
        signPrincipal({ ...aliceAs, tenantId: alice.accountId }, platform.config.gatewaySecret, {
          ...operation(),
          variables: { a: "acct_other" },
        }),
    ],
    [
      "carrying the socket's own signature (for no operation)",
      () => signPrincipal({ ...aliceAs, tenantId: alice.accountId }, platform.config.gatewaySecret, undefined),
    ],
    [
      "with a stale caller signature",
      () => signPrincipal({ ...aliceAs, tenantId: alice.accountId }, platform.config.gatewaySecret, operation(), Date.now() - 10 * 60_000),
    ],
  ])("refuses an operation %s (UNAUTHENTICATED)", async (_what, principal) => {
    const { socket } = subgraphClient(gatewaySigned());
    const op = run(socket, principal());
    await until(() => op.ended() !== undefined, "the refusal");
    expect((op.ended() as ErrorJson[]).map((error) => error.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    expect(op.messages).toEqual([]);
  });
});

describe("keep-alive", () => {
  it("pings every connection and cuts off one that stops answering", async () => {
    // Long enough that a live peer on a busy machine answers in time; the waits are generous.
    const gateway = await extraGateway(platform, { WS_KEEPALIVE_MS: 1_000 });
    gateways.push(gateway);
    const open = (autoPong: boolean) => {
      const socket = new WebSocket(wsUrl(gateway.url), "graphql-transport-ws", { autoPong });
      const seen = { pings: 0, closed: undefined as number | undefined };
      socket.on("ping", () => (seen.pings += 1));
      socket.on("close", (code) => (seen.closed = code));
      socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${alice.key}` } })));
      return { socket, seen };
    };
    const alive = open(true);
    const silent = open(false);
    await until(() => silent.seen.closed !== undefined, "the silent peer to be cut off", 60_000);
    expect(silent.seen.pings).toBeGreaterThan(0);
    // Cut off without a closing handshake.
    expect(silent.seen.closed).toBe(1006);
    await until(() => alive.seen.pings >= 3, "three pings to the live peer", 60_000);
    expect(alive.seen.closed).toBeUndefined();
    alive.socket.close();
  });
});
