// The shared feed's joining rules, with a scripted upstream: who may start it, who joins where,
// and that nobody gets an event twice or misses one.

import type { Sink, SubscribePayload } from "graphql-ws";
import { describe, expect, it } from "vitest";
import type { ClientResult } from "./rest-executor.ts";
import type { Position } from "./resume.ts";
import { Feeds, UpstreamFeed, type FeedMember } from "./upstream-feed.ts";
import type { UpstreamClient, UpstreamResult } from "./upstream.ts";

class ScriptedUpstream {
  readonly subscriptions: { request: Omit<SubscribePayload, "extensions">; sink: Sink<UpstreamResult>; ended: boolean }[] = [];
  subscribe(_principal: unknown, request: Omit<SubscribePayload, "extensions">, sink: Sink<UpstreamResult>) {
    const entry = { request, sink, ended: false };
    this.subscriptions.push(entry);
    return () => void (entry.ended = true);
  }
  async retryGate(): Promise<void> {}
  event(id: string): void {
    this.subscriptions.at(-1)!.sink.next({ data: { balanceChanged: { _mgCursor: id } } });
  }
}

class Member implements FeedMember {
  readonly seen: string[] = [];
  joins = 0;
  ended: ClientResult | undefined | "ended";
  constructor(public position: Position | undefined) {}
  fromFeed(_event: UpstreamResult, cursor: string): void {
    this.seen.push(cursor);
    this.position = { after: cursor };
  }
  joinFeed(): void {
    this.joins += 1;
  }
  feedEnded(result?: ClientResult): void {
    this.ended = result ?? "ended";
  }
}

function feed() {
  const upstream = new ScriptedUpstream();
  const idle: UpstreamFeed[] = [];
  const shared = new UpstreamFeed(
    {
      upstream: upstream as unknown as UpstreamClient,
      principal: { kind: "platform", tenantId: "acct_t", livemode: false, keyId: "key_1" },
      responseName: "balanceChanged",
      request: (position) => ({ query: "subscription { x }", variables: { position } }),
    },
    (feed) => void idle.push(feed),
  );
  return { upstream, shared, idle };
}

describe("UpstreamFeed", () => {
  it("is started by a known-good position only, then shared by members at its position", () => {
    const { upstream, shared } = feed();
    expect(shared.attach(new Member({ after: "evt_client" }), false)).toBe(false);
    expect(upstream.subscriptions).toHaveLength(0);

    const first = new Member({ after: "evt_0" });
    expect(shared.attach(first, true)).toBe(true);
    expect(upstream.subscriptions).toHaveLength(1);
    expect(upstream.subscriptions[0]!.request.variables).toEqual({ position: { after: "evt_0" } });
    upstream.event("evt_1");
    const second = new Member(shared.current);
    expect(shared.attach(second, true)).toBe(true);
    upstream.event("evt_2");
    expect(first.seen).toEqual(["evt_1", "evt_2"]);
    expect(second.seen).toEqual(["evt_2"]);
    expect(upstream.subscriptions).toHaveLength(1);
  });

  it("hands a member slightly behind the window's later events, then live ones", () => {
    const { upstream, shared } = feed();
    shared.attach(new Member({ after: "evt_0" }), true);
    for (const id of ["evt_1", "evt_2", "evt_3"]) upstream.event(id);
    const late = new Member({ after: "evt_1" });
    expect(shared.attach(late, false)).toBe(true);
    upstream.event("evt_4");
    expect(late.seen).toEqual(["evt_2", "evt_3", "evt_4"]);
  });

  it("tells a catching-up member to join when the feed reaches its position", () => {
    const { upstream, shared } = feed();
    shared.attach(new Member({ after: "evt_0" }), true);
    // Ahead of the feed (its own private stream delivered evt_2 first).
    const ahead = new Member({ after: "evt_2" });
    expect(shared.attach(ahead, true)).toBe(false);
    shared.watch(ahead, true);
    upstream.event("evt_1");
    expect(ahead.joins).toBe(0);
    upstream.event("evt_2");
    expect(ahead.joins).toBe(1);
    expect(ahead.seen).toEqual([]);
  });

  it("stops its upstream with its last member and ends every member on a refusal", () => {
    const { upstream, shared, idle } = feed();
    const only = new Member({ after: "evt_0" });
    shared.attach(only, true);
    shared.detach(only);
    expect(upstream.subscriptions[0]!.ended).toBe(true);
    expect(idle).toEqual([shared]);

    const [a, b] = [new Member({ after: "evt_5" }), new Member({ after: "evt_5" })];
    shared.attach(a, true);
    shared.attach(b, true);
    const refusal = [{ message: "No such account", extensions: { code: "NOT_FOUND" } }];
    upstream.subscriptions.at(-1)!.sink.error(refusal);
    expect(a.ended).toEqual({ data: null, errors: refusal });
    expect(b.ended).toEqual({ data: null, errors: refusal });
  });

  it("resubscribes from its position when its socket is lost", async () => {
    const { upstream, shared } = feed();
    const member = new Member({ after: "evt_0" });
    shared.attach(member, true);
    upstream.event("evt_1");
    upstream.subscriptions[0]!.sink.error({ code: 1012, reason: "Service restart" });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(upstream.subscriptions).toHaveLength(2);
    expect(upstream.subscriptions[1]!.request.variables).toEqual({ position: { after: "evt_1" } });
    upstream.event("evt_2");
    expect(member.seen).toEqual(["evt_1", "evt_2"]);
  });
});

describe("Feeds", () => {
  it("asks concurrent callers' question once", async () => {
    const feeds = new Feeds();
    let asked = 0;
    const ask = () => feeds.once("k", async () => ++asked);
    expect(await Promise.all([ask(), ask(), ask()])).toEqual([1, 1, 1]);
    expect(await ask()).toBe(2);
  });
});
