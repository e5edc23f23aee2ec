// An event is never delivered without its cursor, nor skipped. When the runtime cannot complete
// an event (an entity field's subgraph is down, the database restarts), the client does not get
// a half event without an id while the stream moves on: its subscription ends with
// SUBSCRIPTION_INTERRUPTED, `retryable: true` and `resumeAfter` (the last event it did receive,
// or where it started), before anything after it is sent. Subscribing again with
// `after: resumeAfter` delivers that event again, completed, and everything after it.

import { GraphQLError, type ExecutionResult } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

interface DeliveryState {
  /** Cursors of the events handed to the runtime, not yet delivered, in order. */
  readonly pending: string[];
  /** The last event delivered, or the position the subscription started after. */
  lastDelivered: string | undefined;
}

const states = new WeakMap<object, DeliveryState>();
/** The cursor of each event result the guard let through (for subscriptions/shared.ts). */
const delivered = new WeakMap<object, string>();

export function cursorOfDelivered(result: object): string | undefined {
  return delivered.get(result);
}

function stateOf(context: unknown): DeliveryState | undefined {
  if (!context || typeof context !== "object") return undefined;
  let state = states.get(context);
  if (!state) states.set(context, (state = { pending: [], lastDelivered: undefined }));
  return state;
}

/** The upstream layer took its start position (an event id), before any event. */
export function noteStart(context: unknown, after: string | undefined): void {
  const state = stateOf(context);
  if (state && after) state.lastDelivered = after;
}

/** The upstream layer hands the runtime the event with this cursor. */
export function noteEvent(context: unknown, cursor: string): void {
  stateOf(context)?.pending.push(cursor);
}

export function interrupted(resumeAfter: string | undefined): GraphQLError {
  const message = resumeAfter
    ? `This event could not be completed; subscribe again with after: "${resumeAfter}" to receive it and everything after it`
    : "This event could not be completed; subscribe again to receive it and everything after it";
  return new GraphQLError(message, {
    extensions: { code: "SUBSCRIPTION_INTERRUPTED", retryable: true, ...(resumeAfter ? { resumeAfter } : {}) },
  });
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

function guarded(source: AsyncIterableIterator<ExecutionResult>, context: unknown): AsyncIterableIterator<ExecutionResult> {
  let ended = false;
  // Not an async generator: one waiting for the next event could not be returned (unsubscribed)
  // until that event came.
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (ended) return DONE;
      const step = await source.next();
      if (step.done || ended) return step.done ? step : DONE;
      const state = stateOf(context);
      const cursor = state?.pending.shift();
      // An event with errors is never let through, whether or not its cursor was noted: under
      // bench:faults, results carrying an event and errors came with no cursor pending (and the
      // same event reached the client twice, once whole). Only a refusal without data (the
      // subscription's own errors, before any event) passes as it is.
      if (step.value.errors?.length && (cursor !== undefined || step.value.data != null)) {
        ended = true;
        void source.return?.();
        return { done: false, value: { errors: [interrupted(state?.lastDelivered)] } };
      }
      if (cursor === undefined) return step;
      state!.lastDelivered = cursor;
      delivered.set(step.value, cursor);
      return step;
    },
    async return() {
      ended = true;
      await source.return?.();
      return DONE;
    },
    async throw(error: unknown) {
      ended = true;
      await source.return?.();
      throw error;
    },
  };
  return iterator;
}

export function useEventGuard(): GatewayPlugin {
  return {
    onSubscribe({ args }) {
      return {
        onSubscribeResult({ result, setResult }) {
          if (Symbol.asyncIterator in result) setResult(guarded(result as AsyncIterableIterator<ExecutionResult>, args.contextValue));
        },
      };
    },
  };
}
