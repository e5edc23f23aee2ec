import { GraphQLError, type ExecutionResult } from "graphql";
import { describe, expect, it } from "vitest";
import { SharedSubscriptions, type DirectDelivery, type Start } from "./shared.ts";

/** An execution whose events the test pushes: results `{ data: { n } }`, cursor `evt_<n>`. */
class Source implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: ExecutionResult[] = [];
  private wake: (() => void) | undefined;
  returned = false;
  [Symbol.asyncIterator]() {
    return this;
  }
  push(...ns: number[]): void {
    for (const n of ns) this.queue.push({ data: { n } });
    this.wake?.();
  }
  async next(): Promise<IteratorResult<ExecutionResult>> {
    for (;;) {
      if (this.returned) return { done: true, value: undefined };
      const head = this.queue.shift();
      if (head) return { done: false, value: head };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
  async return(): Promise<IteratorReturnResult<undefined>> {
    this.returned = true;
    this.wake?.();
    return { done: true, value: undefined };
  }
}

const cursorOf = (result: ExecutionResult) => (result.data ? `evt_${(result.data as { n: number }).n}` : undefined);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const n = (result: IteratorResult<ExecutionResult>) => (result.value as ExecutionResult).data?.["n"];

function setup() {
  const starts: (string | undefined)[] = [];
  const sources: Source[] = [];
  let positioned = 0;
  const shared = new SharedSubscriptions({ bufferEvents: 4, cursorOf, onPositioned: () => (positioned += 1) });
  const start: Start = async (after) => {
    starts.push(after);
    const source = new Source();
    sources.push(source);
    return source;
  };
  return { shared, start, starts, sources, positioned: () => positioned };
}

describe("identical subscriptions sharing one execution", () => {
  it("starts one execution for subscribers of the same key; a subscriber with `after` joins only before the first event", async () => {
    const { shared, start, starts, sources } = setup();
    const first = await shared.subscribe("k", false, {}, start);
    const second = await shared.subscribe("k", false, {}, start);
    const resuming = await shared.subscribe("k", true, {}, start);
    expect(starts).toEqual([undefined]);
    sources[0]!.push(1);
    for (const member of [first, second, resuming]) expect(n(await (member as AsyncIterableIterator<ExecutionResult>).next())).toBe(1);
    // Delivered something: a subscriber resuming from elsewhere gets an execution of its own.
    await shared.subscribe("k", true, {}, start);
    expect(starts).toEqual([undefined, undefined]);
    expect(shared.size).toBe(4);
  });

  it("lets a subscriber that stops reading fall behind alone: it continues on its own execution after the last event it was handed", async () => {
    const { shared, start, starts, sources } = setup();
    const reader = (await shared.subscribe("k", false, {}, start)) as AsyncIterableIterator<ExecutionResult>;
    const stalled = (await shared.subscribe("k", false, {}, start)) as AsyncIterableIterator<ExecutionResult>;
    const read: unknown[] = [];
    for (let i = 1; i <= 10; i++) {
      sources[0]!.push(i);
      read.push(n(await reader.next()));
    }
    expect(read).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await tick();
    // The stalled one was handed 1..4 (its buffer), then left for an execution of its own after 4.
    expect(starts).toEqual([undefined, "evt_4"]);
    sources[1]!.push(5, 6);
    const caughtUp: unknown[] = [];
    for (let i = 0; i < 6; i++) caughtUp.push(n(await stalled.next()));
    expect(caughtUp).toEqual([1, 2, 3, 4, 5, 6]);
    // The shared execution ends with its last subscriber, the own one with its client.
    await reader.return!();
    expect(sources[0]!.returned).toBe(true);
    await stalled.return!();
    expect(sources[1]!.returned).toBe(true);
    expect(shared.size).toBe(0);
  });

  it("counts a joiner positioned when the execution it joins is", async () => {
    const { shared, start, positioned } = setup();
    const context = {};
    await shared.subscribe("k", false, context, start);
    await shared.subscribe("k", false, {}, start);
    expect(positioned()).toBe(0);
    shared.positioned(context);
    expect(positioned()).toBe(2);
    await shared.subscribe("k", false, {}, start);
    expect(positioned()).toBe(3);
  });

  it("ends a connection's subscriptions at once when it is cut off, whether or not its sender is reading", async () => {
    const { shared, start, sources } = setup();
    const socket = {};
    const other = {};
    const first = (await shared.subscribe("k", false, { socket }, start)) as AsyncIterableIterator<ExecutionResult>;
    await shared.subscribe("j", false, { socket }, start);
    const elsewhere = (await shared.subscribe("k", false, { socket: other }, start)) as AsyncIterableIterator<ExecutionResult>;
    expect(shared.size).toBe(3);
    // Nobody pulls `first` (its sender is blocked on the unread socket): it ends all the same.
    shared.endFor(socket);
    await tick();
    expect(shared.size).toBe(1);
    expect(await first.next()).toEqual({ done: true, value: undefined });
    // The other connection's subscription on the same execution carries on.
    sources[0]!.push(1);
    expect(n(await elsewhere.next())).toBe(1);
  });

  describe("events written straight to a waiting client", () => {
    /** A socket that takes messages while `open` and nothing is buffered; `sent` holds the payloads. */
    function socket() {
      const sent: unknown[] = [];
      const state = { buffered: false };
      const direct: DirectDelivery = {
        ready: () => !state.buffered,
        send: (payload) => sent.push((JSON.parse(payload) as ExecutionResult).data?.["n"]),
      };
      return { direct, sent, state };
    }
    /** A sender as graphql-ws runs it: pulls the next result once the previous one is written. */
    function sender(member: AsyncIterableIterator<ExecutionResult>) {
      const sent: unknown[] = [];
      void (async () => {
        for await (const result of member) sent.push(result.data?.["n"] ?? result.errors?.[0]?.message);
      })();
      return sent;
    }

    it("serialises each event once and writes it to every client whose sender waits, in order", async () => {
      const { shared, start, sources } = setup();
      const clients = [socket(), socket(), socket()];
      const members = await Promise.all(clients.map((c) => shared.subscribe("k", false, {}, start, c.direct)));
      const viaSender = members.map((m) => sender(m as AsyncIterableIterator<ExecutionResult>));
      await tick();
      let serialisations = 0;
      const stringify = JSON.stringify;
      JSON.stringify = ((...args: Parameters<typeof stringify>) => (serialisations++, stringify(...args))) as typeof stringify;
      try {
        sources[0]!.push(1, 2, 3);
        await tick();
      } finally {
        JSON.stringify = stringify;
      }
      for (const client of clients) expect(client.sent).toEqual([1, 2, 3]);
      expect(viaSender).toEqual([[], [], []]);
      expect(serialisations).toBe(3);
    });

    it("hands an event to the sender while its socket is backed up or an earlier one is queued, and never out of order", async () => {
      const { shared, start, sources } = setup();
      const client = socket();
      const member = (await shared.subscribe("k", false, {}, start, client.direct)) as AsyncIterableIterator<ExecutionResult>;
      // No sender reading yet: 1 waits in the queue; 2 must not overtake it.
      sources[0]!.push(1);
      await tick();
      sources[0]!.push(2);
      await tick();
      expect(client.sent).toEqual([]);
      const viaSender = sender(member);
      await tick();
      expect(viaSender).toEqual([1, 2]);
      // The sender waits again: 3 goes straight out; with bytes buffered, 4 goes through the sender.
      sources[0]!.push(3);
      await tick();
      client.state.buffered = true;
      sources[0]!.push(4);
      await tick();
      client.state.buffered = false;
      sources[0]!.push(5);
      await tick();
      expect(client.sent).toEqual([3, 5]);
      expect(viaSender).toEqual([1, 2, 4]);
    });

    it("sends a result with errors through the sender (its errors are formatted there)", async () => {
      const { shared, start, sources } = setup();
      const client = socket();
      const member = (await shared.subscribe("k", false, {}, start, client.direct)) as AsyncIterableIterator<ExecutionResult>;
      const viaSender = sender(member);
      await tick();
      (sources[0] as unknown as { queue: ExecutionResult[] }).queue.push({ errors: [new GraphQLError("boom")] });
      sources[0]!.push();
      await tick();
      sources[0]!.push(1);
      await tick();
      expect(viaSender).toEqual(["boom"]);
      expect(client.sent).toEqual([1]);
    });

    it("lets a client whose socket stays backed up fall behind alone, resuming after the last event it was handed", async () => {
      const { shared, start, starts, sources } = setup();
      const fast = socket();
      const slow = socket();
      sender((await shared.subscribe("k", false, {}, start, fast.direct)) as AsyncIterableIterator<ExecutionResult>);
      const member = (await shared.subscribe("k", false, {}, start, slow.direct)) as AsyncIterableIterator<ExecutionResult>;
      // The slow client's socket is backed up: its sender takes event 1 and stays blocked writing it.
      slow.state.buffered = true;
      const first = member.next();
      await tick();
      sources[0]!.push(1);
      expect(n(await first)).toBe(1);
      for (let i = 2; i <= 6; i++) sources[0]!.push(i);
      await tick();
      expect(fast.sent).toEqual([1, 2, 3, 4, 5, 6]);
      // 2..5 filled its buffer of 4: it continues on an execution of its own after 5.
      expect(starts).toEqual([undefined, "evt_5"]);
    });
  });
});
