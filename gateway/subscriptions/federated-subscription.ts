// One client subscription through the gateway: events of the primary fetch (from a shared
// upstream feed, or a private upstream subscription while catching up), each completed by the
// rest of the plan, results sent in order.
//
// Position: for a resumable field (see resume.ts) the subscription always knows where it is: the
// last event it accepted, or the start it took when it began (the client's `after`, else the
// feed's position or the newest event now). Whatever breaks upstream (subgraph restart, lost
// socket, pause), it continues from there: no event lost, none repeated.
//
// Flow control: at most `bufferEvents` results wait to be sent. When that many wait (a replay
// burst, or a slow client), the subscription lets go of its source and takes it up again from
// the same position once the client has read half of them: memory stays bounded and nothing is
// lost. A client that leaves them unread for `slowConsumerMs` cannot keep up: it is
// disconnected with a clear reason (onSlowConsumer) and may reconnect and resume with `after`.

import { GraphQLError } from "graphql";
import type { ClientResult, EventRequest, RestExecutor } from "./rest-executor.ts";
import { cursorOf, type Position } from "./resume.ts";
import type { Feeds, FeedMember, UpstreamFeed } from "./upstream-feed.ts";
import { isConnectionLoss, type UpstreamClient, type UpstreamResult } from "./upstream.ts";

export interface SubscriptionDeps {
  readonly upstream: UpstreamClient;
  readonly feeds: Feeds;
  readonly rest: RestExecutor;
  readonly bufferEvents: number;
  readonly slowConsumerMs: number;
  readonly onSlowConsumer: (reason: string) => void;
  readonly formatError: (error: GraphQLError) => ClientResult["errors"];
  /** Called once the subscription has its start position: nothing committed later is missed. */
  readonly onPositioned?: () => void;
  /** Called once when the subscription ends, however it ends. */
  readonly onClose?: () => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

type Source = { readonly kind: "feed"; readonly feed: UpstreamFeed } | { readonly kind: "private"; readonly stop: () => void };

export class FederatedSubscription implements AsyncIterableIterator<ClientResult>, FeedMember {
  position: Position | undefined;
  /**
   * Whether the position is known to be an event of this stream. A client's own `after` is not
   * until an event after it arrives: until then it must not start a shared feed, or a bad
   * cursor would end the feed for everyone who joins it.
   */
  private trusted = false;
  private readonly results: Promise<ClientResult>[] = [];
  private source: Source | undefined;
  private feed: UpstreamFeed | undefined;
  private paused: NodeJS.Timeout | undefined;
  private upstreamDone = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly request: EventRequest,
  ) {
    void this.start();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ClientResult> {
    return this;
  }

  async next(): Promise<IteratorResult<ClientResult>> {
    for (;;) {
      if (this.closed) return DONE;
      const head = this.results[0];
      if (head) {
        const value = await head;
        if (this.closed) return DONE;
        this.results.shift();
        if (this.paused && this.results.length <= this.deps.bufferEvents / 2) this.unpause();
        return { done: false, value };
      }
      if (this.upstreamDone) {
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

  // ---- FeedMember ----------------------------------------------------------------------------

  fromFeed(event: UpstreamResult, cursor: string): void {
    if (this.source?.kind === "feed" && !this.closed) this.accept(event, cursor);
  }

  joinFeed(): void {
    if (this.source?.kind !== "private" || this.closed || this.paused) return;
    this.source.stop();
    this.source = undefined;
    this.follow();
  }

  feedEnded(result?: ClientResult): void {
    this.source = undefined;
    this.finish(result);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.paused);
    this.leaveSource();
    this.results.length = 0;
    this.signal();
    this.deps.onClose?.();
  }

  private leaveSource(): void {
    const source = this.source;
    this.source = undefined;
    if (source?.kind === "feed") source.feed.detach(this);
    if (source?.kind === "private") {
      source.stop();
      this.feed?.forget(this, this.position);
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private push(result: Promise<ClientResult>): void {
    this.results.push(result);
    this.signal();
    if (this.results.length >= this.deps.bufferEvents && !this.paused && !this.upstreamDone) this.pause();
  }

  private pause(): void {
    this.leaveSource();
    this.paused = setTimeout(() => {
      this.deps.onSlowConsumer(`Slow consumer: ${this.results.length} events unread for ${this.deps.slowConsumerMs} ms; resume with after`);
      this.close();
    }, this.deps.slowConsumerMs);
  }

  private unpause(): void {
    clearTimeout(this.paused);
    this.paused = undefined;
    this.follow();
  }

  private finish(result?: ClientResult): void {
    if (result) this.results.push(Promise.resolve(result));
    this.upstreamDone = true;
    this.leaveSource();
    this.signal();
  }

  private async start(): Promise<void> {
    const { resume } = this.request.prepared;
    if (!resume) {
      this.subscribePrivately();
      return this.deps.onPositioned?.();
    }
    const after = resume.originalAfter(this.request.variables);
    if (after) this.position = { after };
    while (!this.position) {
      if (this.closed) return;
      // Joining a running feed where it is: "from now" without asking the subgraph.
      this.position = this.deps.feeds.peek(this.feedKey())?.current;
      if (this.position) break;
      try {
        // Subscribers arriving together ask once.
        const start = await this.deps.feeds.once(this.feedKey(), () => this.startPosition());
        if ("after" in start || "fromStart" in start) this.position = start;
        else return this.finish(start);
      } catch (error) {
        if (!isConnectionLoss(error)) return this.finish({ data: null, errors: error as ClientResult["errors"] });
        await this.deps.upstream.retryGate();
      }
    }
    this.trusted = !after;
    this.deps.onPositioned?.();
    this.follow();
  }

  /** The newest event now, else the start of the stream; or the subgraph's refusal. */
  private async startPosition(): Promise<Position | ClientResult> {
    const resume = this.request.prepared.resume!;
    const position = resume.positionQuery(this.request.variables);
    const answer = await this.deps.upstream.query(this.request.principal, { query: position.query, variables: position.variables });
    // Refused (the account is not the caller's, say): exactly what subscribing would answer, so
    // about the client's field, not the internal query (whose locations mean nothing to it).
    if (answer.errors?.length) {
      const path = [resume.responseName];
      return { data: null, errors: answer.errors.map(({ locations: _locations, path: _path, ...error }) => ({ ...error, path })) };
    }
    const newest = answer.data?.[position.field];
    return typeof newest === "string" ? { after: newest } : { fromStart: true };
  }

  /** Takes up a source from the current position: the shared feed if it can, else privately. */
  private follow(): void {
    if (this.closed || this.paused || this.upstreamDone || this.source) return;
    if (!this.request.prepared.resume) return this.subscribePrivately();
    this.feed ??= this.deps.feeds.for(this.feedKey(), {
      upstream: this.deps.upstream,
      principal: this.request.principal,
      responseName: this.request.prepared.resume!.responseName,
      request: (position) => this.primaryRequest(position),
    });
    // The source first: attaching hands over the feed's window, which fromFeed must accept.
    this.source = { kind: "feed", feed: this.feed };
    if (this.feed.attach(this, this.trusted)) return;
    this.source = undefined;
    this.subscribePrivately();
    // (Re-read: subscribePrivately set it.)
    if ((this.source as Source | undefined)?.kind === "private") this.feed.watch(this, this.trusted);
  }

  private feedKeyText: string | undefined;

  /** What the shared feed is keyed by: the subgraph, the operation sent, the caller, the variables. */
  private feedKey(): string {
    if (this.feedKeyText) return this.feedKeyText;
    const { prepared, principal, variables } = this.request;
    const shared = prepared.resume!.variables(variables, { fromStart: true });
    this.feedKeyText = JSON.stringify([prepared.primary.serviceName, prepared.resume!.query, principal, shared]);
    return this.feedKeyText;
  }

  private primaryRequest(position: Position | undefined) {
    const { prepared, variables } = this.request;
    return prepared.resume
      ? { query: prepared.resume.query, operationName: prepared.resume.operationName, variables: prepared.resume.variables(variables, position!) }
      : { query: prepared.primary.operation, operationName: prepared.primary.operationName, variables: { ...variables } };
  }

  /** An upstream subscription of this client's own, from its position (catching up, or not resumable). */
  private subscribePrivately(): void {
    if (this.closed || this.paused || this.upstreamDone) return;
    // Events of an upstream subscription that was let go may still be in flight: only the
    // current one's are taken, so the position never moves past an ignored event.
    let active = true;
    const unsubscribe = this.deps.upstream.subscribe(this.request.principal, this.primaryRequest(this.position), {
      next: (event) => {
        if (active && !this.closed) this.onPrivateEvent(event);
      },
      error: (error) => {
        if (!active || this.closed) return;
        active = false;
        this.source = undefined;
        void this.onPrivateError(error);
      },
      complete: () => {
        if (!active || this.closed) return;
        active = false;
        this.source = undefined;
        this.finish();
      },
    });
    this.source = {
      kind: "private",
      stop: () => {
        active = false;
        unsubscribe();
      },
    };
  }

  private onPrivateEvent(event: UpstreamResult): void {
    const responseName = this.request.prepared.resume?.responseName;
    const cursor = responseName ? cursorOf(event.data, responseName) : undefined;
    const previous = this.position;
    this.accept(event, cursor);
    // Caught up with the feed? Then this private subscription can go.
    if (this.feed && cursor && this.source?.kind === "private") this.feed.watch(this, this.trusted, previous);
  }

  private accept(event: UpstreamResult, cursor: string | undefined): void {
    // Taken on arrival, in order: whatever happens next starts after the last event accepted.
    if (cursor) {
      this.position = { after: cursor };
      this.trusted = true;
    }
    this.push(this.deps.rest.run(this.request, event, cursor));
  }

  private async onPrivateError(error: unknown): Promise<void> {
    this.feed?.forget(this, this.position);
    if (!isConnectionLoss(error)) {
      // The subgraph refused the operation (typed errors): the client gets them, and it ends.
      this.finish({ data: null, errors: error as ClientResult["errors"] });
      return;
    }
    if (!this.request.prepared.resume) {
      this.finish(this.unavailable());
      return;
    }
    await this.deps.upstream.retryGate();
    this.follow();
  }

  private unavailable(): ClientResult {
    const error = new GraphQLError("The subscription's source was lost; subscribe again", { extensions: { code: "INTERNAL_SERVER_ERROR" } });
    return { data: null, errors: this.deps.formatError(error) };
  }
}
