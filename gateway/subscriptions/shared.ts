// Identical subscriptions share one execution: a thousand dashboards following one account with
// the same key and the same operation cost the gateway one upstream subscription, one entity fetch
// and one result per event; only the sending is per client.
//
//   - A subscription without `after` joins a running execution of the same operation, caller and
//     variables where it is: it starts with the next event, as "from now" asks. One with `after`
//     joins only an execution that has not delivered anything yet (it would skip what it missed).
//   - Each client has its own queue. One that falls `bufferEvents` behind leaves the shared
//     execution and continues on one of its own from the last event it was handed (the resumable
//     layer's flow control then bounds it, and disconnects it with 4413 if it stops reading):
//     nothing lost, nothing repeated, and a slow client never holds up the others.
//   - An event is serialised once for all the execution's clients. A client whose sender is
//     waiting for its next event and whose socket has nothing buffered is written to at once with
//     that text (DirectDelivery: a graphql-ws `next` message, as the sender would have written
//     it); any other client (still sending an earlier event, or its socket backed up) gets it
//     through its queue and its sender. At a thousand clients of one account the per-client
//     sender's promise hops, hooks and serialisation were most of the gateway's fan-out time.

import type { ExecutionResult } from "graphql";
import { cursorOfDelivered } from "./event-guard.ts";

export interface SharedOptions {
  readonly bufferEvents: number;
  /** The cursor of an event result (default: the event guard's record of what it let through). */
  readonly cursorOf?: (result: ExecutionResult) => string | undefined;
  /** Subscriptions that took their start position (tests wait on it). */
  onPositioned(): void;
}

/**
 * A client's socket, for events written straight to it (see the header). `ready` must be false
 * whenever a message written now would wait behind others (socket not open, bytes buffered).
 */
export interface DirectDelivery {
  ready(): boolean;
  /** Writes one `next` message whose payload is this JSON text. */
  send(payload: string): void;
}

/** Starts an execution: the shared one, or a client's own from after an event. */
export type Start = (startAfter?: string) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

function isIterator(value: unknown): value is AsyncIterableIterator<ExecutionResult> {
  return !!value && typeof value === "object" && Symbol.asyncIterator in value;
}

class Group {
  readonly members = new Set<Member>();
  delivered = 0;
  positioned = false;
  ended = false;
  private source: AsyncIterableIterator<ExecutionResult> | undefined;

  constructor(
    readonly key: string,
    private readonly cursorOf: (result: ExecutionResult) => string | undefined,
    private readonly onEmpty: (group: Group) => void,
  ) {}

  run(source: AsyncIterableIterator<ExecutionResult>): void {
    this.source = source;
    void (async () => {
      try {
        for (;;) {
          const step = await source.next();
          if (step.done) break;
          this.delivered += 1;
          const result = step.value;
          const cursor = this.cursorOf(result);
          // A result with errors goes through each sender (its errors are formatted there).
          let text: string | undefined;
          const serialised = result.errors ? undefined : () => (text ??= JSON.stringify(result));
          for (const member of [...this.members]) member.push(result, cursor, serialised);
        }
      } catch (error) {
        for (const member of [...this.members]) member.fail(error);
      }
      this.end();
    })();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const member of [...this.members]) member.groupEnded();
    this.members.clear();
    this.onEmpty(this);
    void this.source?.return?.();
  }

  leave(member: Member): void {
    if (this.members.delete(member) && this.members.size === 0) this.end();
  }
}

class Member implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: { result: ExecutionResult; cursor: string | undefined }[] = [];
  private group: Group | undefined;
  private own: AsyncIterableIterator<ExecutionResult> | undefined;
  private ownStarting: Promise<void> | undefined;
  private groupDone = false;
  private error: unknown;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: SharedOptions,
    private readonly start: Start,
    private readonly onClose: () => void,
    private readonly direct: DirectDelivery | undefined,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  attach(group: Group): void {
    this.group = group;
    group.members.add(this);
  }

  push(result: ExecutionResult, cursor: string | undefined, serialised?: () => string): void {
    if (this.closed || !this.group) return;
    // Its sender waits in next() with nothing queued: everything handed to it is written, so a
    // message written now comes after all of it. (The queue's last cursor, which `detach` resumes
    // after, is still the newest event handed over: nothing is sent directly while it holds any.)
    if (serialised && this.direct && this.wake && this.queue.length === 0 && this.direct.ready()) {
      this.direct.send(serialised());
      return;
    }
    this.queue.push({ result, cursor });
    this.signal();
    if (this.queue.length >= this.options.bufferEvents) this.detach();
  }

  fail(error: unknown): void {
    this.error ??= error;
    this.signal();
  }

  groupEnded(): void {
    this.groupDone = true;
    this.signal();
  }

  /** Too far behind: continue on an execution of its own after the last event it was handed. */
  private detach(): void {
    const after = this.queue.at(-1)?.cursor;
    const group = this.group!;
    this.group = undefined;
    group.leave(this);
    if (!after) {
      // Not an event (an error result): the shared stream ends with it anyway.
      this.groupDone = true;
      return;
    }
    this.ownStarting = this.start(after).then(
      (started) => {
        if (isIterator(started)) {
          if (this.closed) void started.return?.();
          else this.own = started;
        } else {
          this.queue.push({ result: started, cursor: undefined });
          this.groupDone = true;
        }
        this.signal();
      },
      (error: unknown) => this.fail(error),
    );
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    for (;;) {
      if (this.closed) return DONE;
      const head = this.queue.shift();
      if (head) return { done: false, value: head.result };
      if (this.error !== undefined) {
        this.close();
        throw this.error;
      }
      if (this.own) {
        const step = await this.own.next();
        if (step.done) this.close();
        return step.done ? DONE : step;
      }
      if (this.groupDone && !this.ownStarting) {
        this.close();
        return DONE;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

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
    this.group?.leave(this);
    this.group = undefined;
    this.queue.length = 0;
    void this.own?.return?.();
    this.signal();
    this.onClose();
  }
}

export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();
  /** Positions taken by an execution's own first subscription, by its context. */
  private readonly byContext = new WeakMap<object, Group>();
  /** Each client connection's subscriptions, so that a connection cut off ends them at once. */
  private readonly byOwner = new Map<object, Set<Member>>();
  private open = 0;

  constructor(private readonly options: SharedOptions) {}

  get size(): number {
    return this.open;
  }

  /**
   * Ends every subscription of a connection now (a slow consumer being closed): its sender may
   * stay blocked on the unread socket until the close handshake ends, but the subscriptions, their
   * queues and their executions are gone at once.
   */
  endFor(owner: object): void {
    for (const member of [...(this.byOwner.get(owner) ?? [])]) void member.return();
  }

  /**
   * A client's subscription: joins the execution running under `key` when it may (see the
   * header), else starts one; `start` runs the runtime's subscription (with `startAfter`, a
   * client's own execution after that event). With `direct`, events may be written straight to
   * the client's socket rather than yielded.
   */
  async subscribe(
    key: string,
    resumes: boolean,
    context: object,
    start: Start,
    direct?: DirectDelivery,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const running = this.groups.get(key);
    const owner = (context as { socket?: object }).socket;
    const member = new Member(
      this.options,
      start,
      () => {
        this.open -= 1;
        if (!owner) return;
        const members = this.byOwner.get(owner);
        members?.delete(member);
        if (members?.size === 0) this.byOwner.delete(owner);
      },
      direct,
    );
    if (owner) {
      const members = this.byOwner.get(owner) ?? new Set<Member>();
      members.add(member);
      this.byOwner.set(owner, members);
    }
    if (running && !running.ended && (!resumes || running.delivered === 0)) {
      this.open += 1;
      member.attach(running);
      if (running.positioned) this.options.onPositioned();
      return member;
    }
    const group = new Group(key, this.options.cursorOf ?? cursorOfDelivered, (ended) => {
      if (this.groups.get(key) === ended) this.groups.delete(key);
    });
    this.byContext.set(context, group);
    this.groups.set(key, group);
    // A member before the execution starts: the position it takes counts this client.
    this.open += 1;
    member.attach(group);
    let started: AsyncIterableIterator<ExecutionResult> | ExecutionResult;
    try {
      started = await start();
    } catch (error) {
      group.end();
      await member.return();
      throw error;
    }
    if (!isIterator(started)) {
      // Refused before it began (the caller's own errors): every client that joined gets the answer.
      const answer = started;
      for (const each of [...group.members]) each.push(answer, undefined);
      group.end();
      return member;
    }
    group.run(started);
    return member;
  }

  /** The runtime's execution under `context` took its start position. */
  positioned(context: unknown): void {
    // A client's own continuation (see Member.detach) was counted when it first subscribed.
    if ((context as { mgStartAfter?: unknown } | undefined)?.mgStartAfter) return;
    const group = context && typeof context === "object" ? this.byContext.get(context) : undefined;
    if (!group) return this.options.onPositioned();
    if (group.positioned) return;
    group.positioned = true;
    for (let i = 0; i < Math.max(1, group.members.size); i++) this.options.onPositioned();
  }
}
