// One client subscription's upstream, as Hive's planner asks the subgraph for it: the events of
// the subscription's root field, which the runtime then completes with other subgraphs' fields.
// Between the planner and the socket this layer adds what a partner relies on:
//
//   - Position. For a resumable field (resume.ts) the stream always knows where it is: the last
//     event received, or where it started (the client's `after`, else the newest event when it
//     subscribed). Whatever breaks upstream (subgraph restart, lost socket), it subscribes again
//     from there: no event lost, none repeated, and the client sees nothing of it.
//   - Flow control. Events are read from upstream as they come into a buffer of at most
//     `bufferEvents`; a full buffer lets go of the upstream subscription and takes it up again
//     from the same position once the client has read half of it. A client that leaves it full
//     for `slowConsumerMs` is disconnected (4413) and may resume with `after`.

import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from "graphql";
import { LRUCache } from "lru-cache";
import type { Principal } from "../../subgraphs/shared/auth/principal.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import {
  principalOf,
  requestIdOf,
  upstreamRequestOf,
  type ExecutionRequestLike,
  type SubscriptionWrapper,
  type UpstreamSocket,
} from "../transport/ws.ts";
import { noteEvent, noteStart } from "./event-guard.ts";
import { cursorOf, resumablePrimary, type Position, type ResumablePrimary } from "./resume.ts";

export interface ResumableOptions {
  readonly bufferEvents: number;
  readonly slowConsumerMs: number;
  readonly logger: Logger;
  /** The client left a full buffer unread too long: close its connection (4413). */
  onSlowConsumer(context: unknown, reason: string): void;
  /** A subscription has its start position: nothing committed from now on is missed. */
  onPositioned(context: unknown): void;
  onOpen(): void;
  onClose(): void;
}

/** Upstream retries after a lost socket: quick at first, then at most every 2 s. */
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2_000;

export function resumableSubscriptions(options: ResumableOptions): SubscriptionWrapper {
  const rewrites = new LRUCache<string, { value: ResumablePrimary | undefined }>({ max: 1_000 });
  return (socket, request) => {
    const upstream = upstreamRequestOf(request);
    let rewrite = rewrites.get(upstream.query);
    if (!rewrite) rewrites.set(upstream.query, (rewrite = { value: resumablePrimary(upstream.query) }));
    const principal = principalOf(request.context)!;
    if (!rewrite.value) {
      options.onPositioned(request.context);
      return socket.iterate(principal, upstream, requestIdOf(request.context));
    }
    return new ResumableStream(options, socket, principal, request, rewrite.value);
  };
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** A subgraph's errors as they came over the socket (JSON), as errors the runtime keeps typed. */
function graphqlErrors(errors: readonly GraphQLFormattedError[] | undefined): GraphQLError[] {
  return (errors ?? []).map((error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions }));
}

function refusal(errors: readonly GraphQLFormattedError[] | undefined): ExecutionResult {
  return { data: null, errors: graphqlErrors(errors) };
}

/**
 * The position query's refusal (the account is not the caller's, say) is exactly what subscribing
 * would answer, so it is about the client's field, not the internal query (whose locations mean
 * nothing to the client).
 */
function refusalOfField(errors: readonly GraphQLFormattedError[] | undefined, responseName: string): ExecutionResult {
  return refusal((errors ?? []).map(({ locations: _locations, path: _path, ...error }) => ({ ...error, path: [responseName] })));
}

function isRefusal(error: unknown): error is readonly GraphQLFormattedError[] {
  // graphql-ws rejects an operation the server refused with its GraphQL errors; anything else
  // (a close event, a socket error) is the connection's.
  return Array.isArray(error);
}

class ResumableStream implements AsyncIterableIterator<ExecutionResult> {
  private position: Position | undefined;
  /** Results waiting to be read, with the cursor of the event each carries (none: a refusal). */
  private readonly buffer: { result: ExecutionResult; cursor?: string }[] = [];
  private upstream: AsyncIterableIterator<ExecutionResult> | undefined;
  /** Counts upstream subscriptions, so events of one that was let go are ignored. */
  private generation = 0;
  private paused: NodeJS.Timeout | undefined;
  private finished = false;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  /** The client asked for its balances first, and no event has arrived yet (resume.ts). */
  private current = false;
  private wake: (() => void) | undefined;
  private readonly variables: Record<string, unknown>;

  constructor(
    private readonly options: ResumableOptions,
    private readonly socket: UpstreamSocket,
    private readonly principal: Principal,
    private readonly request: ExecutionRequestLike,
    private readonly resume: ResumablePrimary,
  ) {
    this.variables = request.variables ?? {};
    options.onOpen();
    void this.start();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    for (;;) {
      if (this.closed) return DONE;
      const head = this.buffer.shift();
      if (head) {
        if (this.paused && this.buffer.length <= this.options.bufferEvents / 2) this.unpause();
        if (head.cursor) noteEvent(this.request.context, head.cursor);
        return { done: false, value: head.result };
      }
      if (this.finished) {
        this.close();
        return DONE;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The client unsubscribed or went away: the upstream subscription ends with it. */
  async return(): Promise<IteratorReturnResult<undefined>> {
    this.close();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorReturnResult<undefined>> {
    this.close();
    throw error;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.paused);
    this.letGo();
    this.buffer.length = 0;
    this.signal();
    this.options.onClose();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private letGo(): void {
    this.generation += 1;
    const upstream = this.upstream;
    this.upstream = undefined;
    void upstream?.return?.();
  }

  private finish(result?: ExecutionResult): void {
    if (result) this.buffer.push({ result });
    this.finished = true;
    this.letGo();
    this.signal();
  }

  private async start(): Promise<void> {
    // A client continuing on an execution of its own (subscriptions/shared.ts) starts after the
    // last event it was handed; anyone else where it asked.
    const continuing = (this.request.context as { mgStartAfter?: string } | undefined)?.mgStartAfter;
    const after = continuing ?? this.resume.originalAfter(this.variables);
    if (after) this.position = { after };
    // A client continuing after an event it was handed has had its balances already.
    this.current = !continuing && this.resume.originalCurrent(this.variables);
    while (!this.position && !this.closed) {
      const query = this.resume.positionQuery(this.variables);
      try {
        const { value } = await this.socket
          .iterate(this.principal, { query: query.query, variables: query.variables }, requestIdOf(this.request.context))
          .next();
        if (!value || value.errors?.length) return this.finish(refusalOfField(value?.errors, this.resume.responseName));
        const newest = (value.data as Record<string, unknown> | null | undefined)?.[query.field];
        this.position = typeof newest === "string" ? { after: newest } : { fromStart: true };
      } catch (error) {
        if (isRefusal(error)) return this.finish(refusalOfField(error, this.resume.responseName));
        await this.backOff();
      }
    }
    if (this.closed) return;
    if (this.position && "after" in this.position) noteStart(this.request.context, this.position.after);
    this.options.onPositioned(this.request.context);
    this.follow();
  }

  private async backOff(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.retryMs * (0.5 + Math.random() / 2)));
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  /** Subscribes upstream from the current position and reads it until it ends or is let go. */
  private follow(): void {
    if (this.closed || this.finished || this.paused || this.upstream) return;
    const generation = ++this.generation;
    const upstream = this.socket.iterate(
      this.principal,
      {
        query: this.resume.query,
        operationName: this.resume.operationName,
        variables: this.resume.variables(this.variables, this.position!, this.current),
      },
      requestIdOf(this.request.context),
    );
    this.upstream = upstream;
    void (async () => {
      try {
        for (;;) {
          const step = await upstream.next();
          if (generation !== this.generation) return;
          if (step.done) return this.finish();
          this.onEvent(step.value);
          if (this.finished) return;
        }
      } catch (error) {
        if (generation !== this.generation) return;
        this.upstream = undefined;
        if (isRefusal(error)) return this.finish(refusal(error));
        this.options.logger.debug(
          { err: error, requestId: requestIdOf(this.request.context) },
          "upstream subscription lost; resubscribing from its position",
        );
        await this.backOff();
        if (generation === this.generation) this.follow();
      }
    })();
  }

  private onEvent(result: ExecutionResult): void {
    const cursor = cursorOf(result.data, this.resume.responseName);
    if (!cursor) {
      // A result without an event (the subgraph refused mid-stream): the client gets it, and it ends.
      return this.finish(refusal(result.errors as readonly GraphQLFormattedError[] | undefined));
    }
    this.retryMs = RETRY_MIN_MS;
    // Taken on arrival, in order: whatever happens next starts after the last event received.
    this.position = { after: cursor };
    this.current = false;
    this.buffer.push({ result, cursor });
    this.signal();
    if (this.buffer.length >= this.options.bufferEvents) this.pause();
  }

  private pause(): void {
    this.letGo();
    this.paused = setTimeout(() => {
      this.options.onSlowConsumer(
        this.request.context,
        `Slow consumer: ${this.buffer.length} events unread for ${this.options.slowConsumerMs} ms; resume with after`,
      );
      this.close();
    }, this.options.slowConsumerMs);
  }

  private unpause(): void {
    clearTimeout(this.paused);
    this.paused = undefined;
    this.follow();
  }
}
