// The event guard on its own: what it lets through of the results the runtime produces for one
// subscription, given the cursors the upstream layer noted.

import { GraphQLError, type ExecutionResult } from "graphql";
import { describe, expect, it } from "vitest";
import { noteEvent, noteStart, useEventGuard } from "./event-guard.ts";

type Hooks = {
  onSubscribe(payload: { args: { contextValue: object } }): {
    onSubscribeResult(payload: {
      result: AsyncIterableIterator<ExecutionResult>;
      setResult(result: AsyncIterableIterator<ExecutionResult>): void;
    }): void;
  };
};

/** The guarded stream of `results`; `before(i)` runs as the runtime takes the i-th from upstream. */
function guard(
  context: object,
  results: ExecutionResult[],
  before: (i: number) => void = () => {},
): AsyncIterableIterator<ExecutionResult> {
  async function* source() {
    for (const [i, result] of results.entries()) {
      before(i);
      yield result;
    }
  }
  let guarded: AsyncIterableIterator<ExecutionResult> | undefined;
  (useEventGuard() as unknown as Hooks)
    .onSubscribe({ args: { contextValue: context } })
    .onSubscribeResult({ result: source(), setResult: (result) => (guarded = result) });
  return guarded!;
}

async function all(iterator: AsyncIterableIterator<ExecutionResult>): Promise<ExecutionResult[]> {
  const seen: ExecutionResult[] = [];
  for await (const result of iterator) seen.push(result);
  return seen;
}

const event = (id: string): ExecutionResult => ({ data: { balanceChanged: { id } } });
const unavailable = () => new GraphQLError("unavailable", { extensions: { code: "SERVICE_UNAVAILABLE", retryable: true } });
const codesOf = (result: ExecutionResult) => result.errors?.map((error) => [error.extensions["code"], error.extensions["resumeAfter"]]);

describe("the event guard", () => {
  it("ends the subscription before an event it cannot complete, resumeAfter the last one delivered", async () => {
    const context = {};
    noteStart(context, "evt_0");
    const seen = await all(
      guard(context, [event("evt_1"), { data: { balanceChanged: null }, errors: [unavailable()] }, event("evt_3")], (i) =>
        noteEvent(context, `evt_${i + 1}`),
      ),
    );
    expect(seen.map((result) => result.data ?? codesOf(result))).toEqual([
      { balanceChanged: { id: "evt_1" } },
      [["SUBSCRIPTION_INTERRUPTED", "evt_1"]],
    ]);
  });

  it("never lets an event with errors through, even with no cursor noted for it", async () => {
    const context = {};
    const incomplete: ExecutionResult = { data: { balanceChanged: { id: "evt_1", account: null } }, errors: [unavailable()] };
    // The first result's cursor is noted; a second result for the same event is not.
    const seen = await all(guard(context, [event("evt_1"), incomplete], (i) => i === 0 && noteEvent(context, "evt_1")));
    expect(seen.map((result) => result.data ?? codesOf(result))).toEqual([
      { balanceChanged: { id: "evt_1" } },
      [["SUBSCRIPTION_INTERRUPTED", "evt_1"]],
    ]);
  });

  it("passes a refusal without data as it is (the subscription's own errors, before any event)", async () => {
    const refusal: ExecutionResult = { data: null, errors: [unavailable()] };
    expect(await all(guard({}, [refusal]))).toEqual([refusal]);
  });
});
