// FederatedSubscription's own rules, with a scripted upstream and rest executor: order, position
// across pauses and lost sockets, the slow-consumer cut-off, refusals and unsubscribing. The
// end-to-end behaviour is in test/subscriptions*.e2e.test.ts.

import type { Sink, SubscribePayload } from "graphql-ws";
import { describe, expect, it } from "vitest";
import { FederatedSubscription, type SubscriptionDeps } from "./federated-subscription.ts";
import type { PreparedSubscription } from "./planner.ts";
import type { ClientResult, EventRequest, RestExecutor } from "./rest-executor.ts";
import { resumablePrimary } from "./resume.ts";
import { Feeds } from "./upstream-feed.ts";
import type { UpstreamClient, UpstreamResult } from "./upstream.ts";

const OPERATION = "subscription($a:ID!$after:ID){balanceChanged(accountId:$a after:$after){id}}";

interface Upstream {
  request: Omit<SubscribePayload, "extensions">;
  sink: Sink<UpstreamResult>;
  ended: boolean;
}

class ScriptedUpstream {
  readonly subscriptions: Upstream[] = [];
  newest: string | null = null;
  queryErrors: UpstreamResult["errors"];

  subscribe(_principal: unknown, request: Omit<SubscribePayload, "extensions">, sink: Sink<UpstreamResult>) {
    const entry = { request, sink, ended: false };
    this.subscriptions.push(entry);
    return () => void (entry.ended = true);
  }

  async query(): Promise<UpstreamResult> {
    return this.queryErrors ? { errors: this.queryErrors } : { data: { _latestBalanceEvent: this.newest } };
  }

  async retryGate(): Promise<void> {}

  get current(): Upstream {
    return this.subscriptions.at(-1)!;
  }

  event(id: string): void {
    this.current.sink.next({ data: { balanceChanged: { id, _mgCursor: id } } });
  }
}

interface SetupOptions {
  bufferEvents?: number;
  slowConsumerMs?: number;
  after?: string;
  newest?: string;
  queryErrors?: UpstreamResult["errors"];
  rest?: (id: string) => Promise<ClientResult>;
}

function setup(options: SetupOptions = {}) {
  const upstream = new ScriptedUpstream();
  upstream.newest = options.newest ?? null;
  upstream.queryErrors = options.queryErrors;
  const slow: string[] = [];
  const rest = {
    run: (_request: EventRequest, event: UpstreamResult) => {
      const id = (event.data?.["balanceChanged"] as { id: string }).id;
      return options.rest ? options.rest(id) : Promise.resolve({ data: { balanceChanged: { id } } });
    },
  } as unknown as RestExecutor;
  const deps: SubscriptionDeps = {
    upstream: upstream as unknown as UpstreamClient,
    feeds: new Feeds(),
    rest,
    bufferEvents: options.bufferEvents ?? 100,
    slowConsumerMs: options.slowConsumerMs ?? 60_000,
    onSlowConsumer: (reason) => void slow.push(reason),
    formatError: (error) => [{ message: error.message, extensions: { code: error.extensions["code"] } }],
  };
  const prepared = {
    key: "k",
    primary: { kind: "Fetch", serviceName: "balances", operation: OPERATION, operationKind: "subscription", operationName: undefined },
    rest: undefined,
    restVariables: [],
    resume: resumablePrimary(OPERATION),
  } as unknown as PreparedSubscription;
  const request: EventRequest = {
    prepared,
    source: OPERATION,
    document: undefined as never,
    operationName: undefined,
    variables: { a: "acct_1", ...(options.after ? { after: options.after } : {}) },
    principal: { kind: "platform", tenantId: "acct_1", livemode: false, keyId: "key_1" },
  };
  return { upstream, slow, subscription: new FederatedSubscription(deps, request) };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const idOf = (step: IteratorResult<ClientResult>) => (step.value?.data?.["balanceChanged"] as { id: string } | undefined)?.id;

describe("FederatedSubscription", () => {
  it("starts after the newest event when the client gave no `after`, from the start when there is none", async () => {
    const withHistory = setup({ newest: "evt_newest" });
    await tick();
    expect(withHistory.upstream.current.request.variables).toMatchObject({ mgAfter: "evt_newest", mgFromStart: null });

    const empty = setup();
    await tick();
    expect(empty.upstream.current.request.variables).toMatchObject({ mgAfter: null, mgFromStart: true });

    const resumed = setup({ after: "evt_client" });
    await tick();
    expect(resumed.upstream.current.request.variables).toMatchObject({ mgAfter: "evt_client" });
  });

  it("sends results in the order events arrived, even when a later one is completed first", async () => {
    const gates = new Map<string, (result: ClientResult) => void>();
    const { upstream, subscription } = setup({ rest: (id) => new Promise((resolve) => gates.set(id, resolve)) });
    await tick();
    upstream.event("evt_1");
    upstream.event("evt_2");
    const first = subscription.next();
    gates.get("evt_2")!({ data: { balanceChanged: { id: "evt_2" } } });
    gates.get("evt_1")!({ data: { balanceChanged: { id: "evt_1" } } });
    expect(idOf(await first)).toBe("evt_1");
    expect(idOf(await subscription.next())).toBe("evt_2");
  });

  it("resubscribes from the last event it accepted when the socket is lost", async () => {
    const { upstream, subscription } = setup();
    await tick();
    upstream.event("evt_1");
    upstream.event("evt_2");
    upstream.current.sink.error({ code: 1012, reason: "Service restart" });
    await tick();
    expect(upstream.subscriptions).toHaveLength(2);
    expect(upstream.current.request.variables).toMatchObject({ mgAfter: "evt_2", mgFromStart: null });
    // A late event of the lost subscription is not taken.
    upstream.subscriptions[0]!.sink.next({ data: { balanceChanged: { id: "evt_late", _mgCursor: "evt_late" } } });
    upstream.event("evt_3");
    const ids = [idOf(await subscription.next()), idOf(await subscription.next()), idOf(await subscription.next())];
    expect(ids).toEqual(["evt_1", "evt_2", "evt_3"]);
  });

  it("pauses upstream when its buffer is full and resumes from the same position once half is read", async () => {
    const { upstream, subscription } = setup({ bufferEvents: 4 });
    await tick();
    for (const id of ["evt_1", "evt_2", "evt_3", "evt_4"]) upstream.event(id);
    expect(upstream.current.ended).toBe(true);
    expect(idOf(await subscription.next())).toBe("evt_1");
    expect(upstream.subscriptions).toHaveLength(1);
    expect(idOf(await subscription.next())).toBe("evt_2");
    expect(upstream.subscriptions).toHaveLength(2);
    expect(upstream.current.request.variables).toMatchObject({ mgAfter: "evt_4" });
  });

  it("disconnects a client that leaves a full buffer unread too long", async () => {
    const { upstream, subscription, slow } = setup({ bufferEvents: 2, slowConsumerMs: 20 });
    await tick();
    upstream.event("evt_1");
    upstream.event("evt_2");
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(slow).toEqual(["Slow consumer: 2 events unread for 20 ms; resume with after"]);
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
  });

  it("ends with the subgraph's typed refusal, about the client's field rather than the position query", async () => {
    const queryErrors = [{ message: "No such account: 'acct_1'", locations: [{ line: 1, column: 36 }], path: ["_latestBalanceEvent"], extensions: { code: "NOT_FOUND" } }];
    const { upstream, subscription } = setup({ queryErrors });
    await tick();
    expect(upstream.subscriptions).toHaveLength(0);
    expect((await subscription.next()).value).toEqual({
      data: null,
      errors: [{ message: "No such account: 'acct_1'", path: ["balanceChanged"], extensions: { code: "NOT_FOUND" } }],
    });
    expect((await subscription.next()).done).toBe(true);
  });

  it("ends its upstream subscription when the client unsubscribes, even while waiting", async () => {
    const { upstream, subscription } = setup();
    await tick();
    const waiting = subscription.next();
    await subscription.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(upstream.current.ended).toBe(true);
  });
});
