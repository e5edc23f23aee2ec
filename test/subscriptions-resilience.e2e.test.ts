// What happens to subscriptions when things break: the balances subgraph restarts under them,
// a burst of events meets a small buffer, a client stops reading, the gateway shuts down.
// Each test that breaks something has a platform (gateway and subgraphs) of its own.

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import type { RunningSubgraph } from "../subgraphs/shared/server.ts";
import { randomUUID } from "node:crypto";
import { createTransfer } from "../subgraphs/balances/service/create-transfer.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import {
  BalanceChangedCurrentDocument,
  BalanceChangedDocument,
  BalanceChangedIdsDocument,
  CreateTopupDocument,
  CreateTransferDocument,
} from "./generated/graphql.ts";
import { commitBalanceChange, commitSeries, type EventTarget } from "./support/balance-events.ts";
import { newPlatform, type TestTenant } from "./support/client.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { testPlatform } from "./support/platform.ts";
import {
  connect,
  eventHub,
  extraGateway,
  privatePlatform,
  Recorder,
  restartSubgraph,
  positioned,
  upstreamSubscribed,
  until,
  wsUrl,
  type TestWsClient,
} from "./support/subscriptions.ts";

const clients: TestWsClient[] = [];
const cleanups: (() => Promise<void>)[] = [];
let shared: RunningPlatform;

beforeAll(async () => {
  shared = await testPlatform();
});

afterAll(async () => {
  await Promise.all(clients.map((each) => each.dispose()));
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function client(url: string, key: string): TestWsClient {
  const created = connect(url, key);
  clients.push(created);
  return created;
}

const target = (tenant: TestTenant): EventTarget => ({ tenantId: tenant.accountId, accountId: tenant.accountId });

describe("a balances subgraph restart under open subscriptions", () => {
  let platform: RunningPlatform;
  let restarted: RunningSubgraph | undefined;

  beforeAll(async () => {
    platform = await privatePlatform();
    cleanups.push(async () => {
      await platform.stop();
      await restarted?.stop();
    });
  });

  async function restart(whileDown: () => Promise<void>) {
    const previous = restarted;
    restarted = await restartSubgraph(platform, "balances", async () => {
      await previous?.stop();
      await whileDown();
    });
    return restarted;
  }

  /** The balances subgraph serving now: the platform's own until the first restart. */
  const balancesNow = () => restarted ?? platform;

  it("keeps the client's subscription through the gateway and loses no event", async () => {
    const tenant = await newPlatform("Restart");
    const seller = await insertConnectedAccount({ tenantId: tenant.accountId });
    const socket = client(platform.gateway!.url, tenant.key);
    const ready = positioned(platform);
    const stream = new Recorder(socket.client, BalanceChangedDocument, { accountId: seller });
    await ready();
    const ok = okThrough(platform.gateway!.url);
    const transfer = (amount: string) =>
      ok(CreateTransferDocument, { input: { destinationAccountId: seller, amount, currency: "USD" }, key: randomUUID() }, tenant.key);
    await ok(
      CreateTopupDocument,
      { input: { accountId: tenant.accountId, amount: "100000", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );
    await transfer("100");
    await transfer("200");
    await stream.received(2);

    // While this balances subgraph is down, another replica keeps moving money.
    const principal = { kind: "platform", tenantId: tenant.accountId, livemode: false, keyId: "key_other_replica" } as const;
    const balances = await restart(async () => {
      for (const amount of [300n, 400n, 500n]) {
        await createTransfer(
          platform.deps!,
          principal,
          { destinationAccountId: seller, amount, currency: parseCurrency("USD")! },
          randomUUID(),
        );
      }
    });
    await upstreamSubscribed(balances, seller);
    await transfer("600");
    await transfer("700");

    const events = (await stream.received(7)).map((data) => data.balanceChanged);
    expect(events.map((event) => event.available.amount)).toEqual(["100", "300", "600", "1000", "1500", "2100", "2800"]);
    expect(new Set(events.map((event) => event.id)).size).toBe(7);
    expect(events.every((event) => event.account.id === seller && event.balanceTransaction?.type === "TRANSFER")).toBe(true);
    // The client saw nothing of it: no close, no error, no completion.
    expect(socket.closes).toEqual([]);
    expect(stream.error).toBeUndefined();
    expect(stream.completed).toBe(false);
  });

  it("sends a `current` subscription's balances once: resumed, it continues after its last event", async () => {
    const tenant = await newPlatform("Restart Current");
    const ok = okThrough(platform.gateway!.url);
    const topup = (amount: string) =>
      ok(CreateTopupDocument, { input: { accountId: tenant.accountId, amount, currency: "USD" }, key: randomUUID() }, tenant.key);
    await topup("1000");
    const stream = new Recorder(client(platform.gateway!.url, tenant.key).client, BalanceChangedCurrentDocument, {
      accountId: tenant.accountId,
      current: true,
    });
    await stream.received(1);
    await upstreamSubscribed(balancesNow(), tenant.accountId);
    const balances = await restart(async () => {});
    await upstreamSubscribed(balances, tenant.accountId);
    await topup("200");
    // Had the resumed subscription asked for the balances again, the first event would come twice.
    const events = (await stream.received(3)).map((data) => data.balanceChanged);
    expect(events.map((event) => [event.available.amount, event.pending.amount])).toEqual([
      ["1000", "0"],
      ["1000", "200"],
      ["1200", "0"],
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(3);
  });

  it("loses nothing even when the subscription had not received an event yet", async () => {
    const [quiet, busy] = await Promise.all([newPlatform("Quiet"), newPlatform("Busy")]);
    const db = platform.deps!.db;
    // `busy` has history from before the subscription: it must not be replayed.
    await commitSeries(db, target(busy), 2);
    const socket = client(platform.gateway!.url, quiet.key).client;
    const ready = positioned(platform);
    const quietStream = new Recorder(socket, BalanceChangedIdsDocument, { accountId: quiet.accountId });
    const busyStream = new Recorder(client(platform.gateway!.url, busy.key).client, BalanceChangedIdsDocument, {
      accountId: busy.accountId,
    });
    await ready(2);
    await upstreamSubscribed(balancesNow(), quiet.accountId);
    await upstreamSubscribed(balancesNow(), busy.accountId);

    const during: Record<string, string[]> = {};
    const balances = await restart(async () => {
      during["quiet"] = await commitSeries(db, target(quiet), 2, 10n);
      during["busy"] = await commitSeries(db, target(busy), 2, 10n);
    });
    await upstreamSubscribed(balances, quiet.accountId);
    const [liveQuiet] = await commitSeries(db, target(quiet), 1, 20n);

    expect((await quietStream.received(3)).map((data) => data.balanceChanged.id)).toEqual([...during["quiet"]!, liveQuiet]);
    expect((await busyStream.received(2)).map((data) => data.balanceChanged.id)).toEqual(during["busy"]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(busyStream.results).toHaveLength(2);
  });
});

describe("flow control", () => {
  it("delivers a burst far larger than the gateway's buffer, in order, by pausing and resuming upstream", async () => {
    const gateway = await extraGateway(shared, { SUBSCRIPTION_BUFFER_EVENTS: 10 });
    cleanups.push(() => gateway.stop());
    const tenant = await newPlatform("Burst");
    const ready = positioned(gateway);
    const stream = new Recorder(client(gateway.url, tenant.key).client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await ready();
    const ids = await commitBalanceChange(
      shared.deps!.db,
      target(tenant),
      Array.from({ length: 300 }, (_, i) => ({ available: BigInt(i) })),
    );
    const received = (await stream.received(300, 30_000)).map((data) => data.balanceChanged.id);
    expect(received).toEqual(ids);
  });

  it("disconnects a client that stops reading (4413) instead of buffering for it", async () => {
    // Keep-alive would cut the paused client off for not answering pings; this is about the buffer.
    const gateway = await extraGateway(shared, { SUBSCRIPTION_BUFFER_EVENTS: 10, SLOW_CONSUMER_TIMEOUT_MS: 300, WS_KEEPALIVE_MS: 600_000 });
    cleanups.push(() => gateway.stop());
    // Big events (about 26 kB of metadata, fetched 8 times by aliases: some 200 kB each), so that a
    // few dozen events fill the TCP buffers between gateway and client, even on a slow machine.
    const tenant = await newPlatform("Slow reader");
    const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "x".repeat(500)]));
    await shared.deps!.db.transaction((sql) =>
      sql.query(`UPDATE account SET metadata = $1::jsonb WHERE id = $2`, [JSON.stringify(metadata), tenant.accountId]),
    );
    const socket = new WebSocket(wsUrl(gateway.url), "graphql-transport-ws");
    let closed: { code: number; reason: string } | undefined;
    socket.on("close", (code, reason) => (closed = { code, reason: reason.toString() }));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${tenant.key}` } }));
    await new Promise((resolve) => socket.once("message", resolve));
    const ready = positioned(gateway);
    socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: printed(), variables: { accountId: tenant.accountId } } }));
    await ready();
    await upstreamSubscribed(shared, tenant.accountId);

    // The client stops reading: TCP buffers fill, then the gateway's own small buffer.
    const raw = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const db = shared.deps!.db;
    for (let i = 0; i < 20 && gateway.socketStats().subscriptions > 0; i++) {
      await commitBalanceChange(
        db,
        target(tenant),
        Array.from({ length: 100 }, (_, n) => ({ available: BigInt(n) })),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await until(() => gateway.socketStats().subscriptions === 0, "the gateway to give up on the slow client", 20_000);
    await until(() => eventHub(shared).subscriberCount(tenant.accountId) === 0, "its upstream subscription to end");
    // Reading again, the client finds what was sent before the close frame, then the close frame.
    raw.resume();
    await until(() => closed !== undefined, "the close frame to reach the client", 20_000);
    expect(closed?.code).toBe(4413);
    expect(closed?.reason).toMatch(/^Slow consumer: \d+ events unread for 300 ms; resume with after$/);
  }, 90_000);
});

describe("gateway shutdown", () => {
  it("closes client sockets with 1012 (reconnect and resume) and ends their upstream subscriptions", async () => {
    const gateway = await extraGateway(shared, {});
    const tenant = await newPlatform("Drained");
    const socket = client(gateway.url, tenant.key);
    const stream = new Recorder(socket.client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await upstreamSubscribed(shared, tenant.accountId);
    const started = Date.now();
    await gateway.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    await stream.ended();
    expect(socket.closes).toEqual([{ code: 1012, reason: "Gateway restarting: reconnect and resume with `after`" }]);
    await until(() => eventHub(shared).subscriberCount(tenant.accountId) === 0, "the upstream subscription to end");
  });
});

/** A mutation or query that must succeed, through a given gateway. */
function okThrough(url: string) {
  return async <T, V>(document: TypedDocumentNode<T, V>, variables: V, key: string): Promise<T> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data!;
  };
}

function printed(): string {
  const names = Array.from({ length: 8 }, (_, i) => `a${i}: account { metadata }`).join(" ");
  return `subscription($accountId: ID!) { balanceChanged(accountId: $accountId) { id currency ${names} } }`;
}
