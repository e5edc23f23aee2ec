import type { ExecutionResult } from "graphql";
import { describe, expect, it } from "vitest";
import { SharedSubscriptions, type Start } from "./shared.ts";

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

const cursorOf = (result: ExecutionResult) => `evt_${(result.data as { n: number }).n}`;
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
});
