// Faults under an open subscription, as a partner's client lives them (graphql-ws's own client
// and Apollo Client): an event whose entity fields cannot be fetched (the accounts subgraph is
// down) is never delivered without its cursor nor skipped (the subscription ends with
// SUBSCRIPTION_INTERRUPTED and `resumeAfter`, and resuming delivers it); a balances subgraph
// restart goes unnoticed by the client. Each test has a platform of its own.

import { ApolloClient, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import type { RunningSubgraph } from "../subgraphs/shared/server.ts";
import { BalanceChangedDocument, type BalanceChangedSubscription } from "./generated/graphql.ts";
import { commitSeries, type EventTarget } from "./support/balance-events.ts";
import { newPlatform, type TestTenant } from "./support/client.ts";
import {
  connect,
  eventHub,
  positioned,
  privatePlatform,
  Recorder,
  restartSubgraph,
  until,
  wsUrl,
  type TestWsClient,
} from "./support/subscriptions.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function platformOfItsOwn(): Promise<{ platform: RunningPlatform; restarted: RunningSubgraph[] }> {
  const platform = await privatePlatform();
  const restarted: RunningSubgraph[] = [];
  cleanups.push(async () => {
    await platform.stop();
    await Promise.all(restarted.map((subgraph) => subgraph.stop()));
  });
  return { platform, restarted };
}

function client(url: string, key: string): TestWsClient {
  const created = connect(url, key);
  cleanups.push(() => created.dispose());
  return created;
}

const target = (tenant: TestTenant): EventTarget => ({ tenantId: tenant.accountId, accountId: tenant.accountId });

type ErrorJson = { message: string; extensions?: Record<string, unknown> };

describe("an event whose entity fields cannot be fetched (accounts subgraph down)", () => {
  it("ends the subscription before it with SUBSCRIPTION_INTERRUPTED and resumeAfter; resuming delivers it, completed, once (graphql-ws client)", async () => {
    const { platform, restarted } = await platformOfItsOwn();
    const tenant = await newPlatform("Entity Fault");
    const db = platform.deps!.db;
    const ready = positioned(platform);
    const stream = new Recorder(client(platform.gateway!.url, tenant.key).client, BalanceChangedDocument, { accountId: tenant.accountId });
    await ready();
    const [first] = await commitSeries(db, target(tenant), 1);
    expect((await stream.received(1)).map((data) => data.balanceChanged.id)).toEqual([first]);

    let second: string | undefined;
    restarted.push(
      await restartSubgraph(platform, "accounts", async () => {
        [second] = await commitSeries(db, target(tenant), 1, 2n);
        await stream.ended();
      }),
    );

    // Every event the client got carries its id; the one that could not be completed did not come.
    expect(stream.data.map((data) => data.balanceChanged.id)).toEqual([first]);
    const last = stream.results.at(-1)!;
    expect(last.data ?? null).toBeNull();
    expect(last.errors).toEqual([
      {
        message: expect.stringContaining(`after: "${first}"`),
        extensions: { code: "SUBSCRIPTION_INTERRUPTED", retryable: true, resumeAfter: first, requestId: expect.any(String) },
      },
    ]);
    expect(stream.completed).toBe(true);

    // As the README says: subscribe again with after: resumeAfter.
    const resumeAfter = (last.errors![0] as ErrorJson).extensions!["resumeAfter"] as string;
    const resumed = new Recorder(client(platform.gateway!.url, tenant.key).client, BalanceChangedDocument, {
      accountId: tenant.accountId,
      after: resumeAfter,
    });
    const [third] = await commitSeries(db, target(tenant), 1, 3n);
    const events = (await resumed.received(2)).map((data) => data.balanceChanged);
    expect(events.map((event) => event.id)).toEqual([second, third]);
    expect(events.map((event) => event.account.displayName)).toEqual(["Entity Fault", "Entity Fault"]);
    expect(resumed.results.every((result) => result.errors === undefined)).toBe(true);
  });

  it("ends it with SUBSCRIPTION_INTERRUPTED for Apollo Client too, which resumes with resumeAfter", async () => {
    const { platform, restarted } = await platformOfItsOwn();
    const tenant = await newPlatform("Apollo Fault");
    const db = platform.deps!.db;
    const ws = createClient({
      url: wsUrl(platform.gateway!.url),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${tenant.key}` },
    });
    const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    cleanups.push(async () => {
      apollo.stop();
      await ws.dispose();
    });

    function follow(after?: string) {
      const seen: { events: BalanceChangedSubscription["balanceChanged"][]; errors: ErrorJson[]; done: boolean } = {
        events: [],
        errors: [],
        done: false,
      };
      const subscription = apollo
        .subscribe({ query: BalanceChangedDocument, variables: { accountId: tenant.accountId, ...(after ? { after } : {}) } })
        .subscribe({
          next: (result) => {
            if (result.data) seen.events.push(result.data.balanceChanged);
            if (result.error)
              seen.errors.push(...((result.error as unknown as { errors?: ErrorJson[] }).errors ?? [{ message: String(result.error) }]));
          },
          error: (error) => seen.errors.push({ message: String(error) }),
          complete: () => (seen.done = true),
        });
      cleanups.push(async () => subscription.unsubscribe());
      return seen;
    }

    const ready = positioned(platform);
    const first = follow();
    await ready();
    const [one] = await commitSeries(db, target(tenant), 1);
    await until(() => first.events.length === 1, "the first event");
    restarted.push(
      await restartSubgraph(platform, "accounts", async () => {
        await commitSeries(db, target(tenant), 1, 2n);
        await until(() => first.errors.length > 0, "the interruption");
      }),
    );
    expect(first.events.map((event) => event.id)).toEqual([one]);
    expect(first.errors.map((error) => error.extensions)).toEqual([
      { code: "SUBSCRIPTION_INTERRUPTED", retryable: true, resumeAfter: one, requestId: expect.any(String) },
    ]);

    const resumed = follow(first.errors[0]!.extensions!["resumeAfter"] as string);
    await until(() => resumed.events.length === 1 || resumed.errors.length > 0, "the missed event");
    expect(resumed.errors).toEqual([]);
    expect(resumed.events.map((event) => [event.available.amount, event.account.displayName])).toEqual([["2", "Apollo Fault"]]);
  });
});

describe("a balances subgraph restart under Apollo Client", () => {
  it("goes unnoticed: the subscription stays open and every event arrives once, in order", async () => {
    const { platform, restarted } = await platformOfItsOwn();
    const tenant = await newPlatform("Apollo Restart");
    const db = platform.deps!.db;
    const ws = createClient({
      url: wsUrl(platform.gateway!.url),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${tenant.key}` },
    });
    const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    cleanups.push(async () => {
      apollo.stop();
      await ws.dispose();
    });
    const ids: string[] = [];
    const problems: unknown[] = [];
    const ready = positioned(platform);
    const subscription = apollo.subscribe({ query: BalanceChangedDocument, variables: { accountId: tenant.accountId } }).subscribe({
      next: (result) => {
        if (result.error) problems.push(result.error);
        if (result.data) ids.push(result.data.balanceChanged.id);
      },
      error: (error) => problems.push(error),
      complete: () => problems.push("completed"),
    });
    cleanups.push(async () => subscription.unsubscribe());
    await ready();
    const before = await commitSeries(db, target(tenant), 2);
    await until(() => ids.length === 2, "the events before the restart");
    let during: string[] = [];
    const balances = await restartSubgraph(platform, "balances", async () => {
      during = await commitSeries(db, target(tenant), 2, 10n);
    });
    restarted.push(balances);
    await until(() => eventHub(balances).subscriberCount(tenant.accountId) === 1, "the gateway to subscribe again");
    const after = await commitSeries(db, target(tenant), 1, 20n);
    await until(() => ids.length >= 5 || problems.length > 0, "every event");
    expect(problems).toEqual([]);
    expect(ids).toEqual([...before, ...during, ...after]);
  });
});
