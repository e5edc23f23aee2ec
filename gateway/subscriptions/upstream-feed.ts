// One upstream subscription shared by every client subscription that would send the subgraph the
// same operation as the same caller (same key, same account, same selection): 1,000 partners'
// dashboards on one hot account cost the subgraph one stream, not 1,000.
//
// The feed follows its own position (the last event it received) and keeps the few latest
// events. A member joins only where it loses nothing and repeats nothing:
//   - at the feed's position (a new subscriber without `after` starts there: "from now");
//   - at an event still in the feed's window, receiving the window's later events first;
//   - otherwise it catches up on a private upstream subscription of its own and switches over
//     when it reaches the feed (an event of its own is in the window, or the feed delivers the
//     member's own position).
// Upstream loss: the feed resubscribes from its position (members wait); a refusal or a
// completion ends every member.

import type { SubscribePayload } from "graphql-ws";
import type { Principal } from "../../subgraphs/shared/auth/principal.ts";
import type { ClientResult } from "./rest-executor.ts";
import { cursorOf, type Position } from "./resume.ts";
import { isConnectionLoss, type UpstreamClient, type UpstreamResult } from "./upstream.ts";

/** Events a feed keeps for members that join slightly behind it. */
const WINDOW = 16;

export interface FeedMember {
  readonly position: Position | undefined;
  /** An event after the member's position, from the feed it is attached to. */
  fromFeed(event: UpstreamResult, cursor: string): void;
  /** The feed reached this catching-up member's position: it may switch over now. */
  joinFeed(): void;
  /** The feed's upstream refused or completed: the member ends (with these errors, if any). */
  feedEnded(result?: ClientResult): void;
}

export interface FeedSpec {
  readonly upstream: UpstreamClient;
  readonly principal: Principal;
  readonly responseName: string;
  request(position: Position): Omit<SubscribePayload, "extensions">;
}

export function samePosition(a: Position | undefined, b: Position | undefined): boolean {
  if (!a || !b) return false;
  return "after" in a ? "after" in b && a.after === b.after : "fromStart" in b;
}

export class UpstreamFeed {
  private position: Position | undefined;
  private window: { cursor: string; event: UpstreamResult }[] = [];
  private readonly members = new Set<FeedMember>();
  private readonly candidates = new Map<string, Set<FeedMember>>();
  private unsubscribe: (() => void) | undefined;
  private running = false;
  /** Counts starts, so a retry scheduled for an earlier run does nothing. */
  private generation = 0;

  constructor(
    private readonly spec: FeedSpec,
    private readonly onIdle: (feed: UpstreamFeed) => void,
  ) {}

  /** Where a subscriber without `after` starts if it joins now; undefined when not running. */
  get current(): Position | undefined {
    return this.running ? this.position : undefined;
  }

  get idle(): boolean {
    return !this.running && this.candidates.size === 0;
  }

  get size(): number {
    return this.members.size;
  }

  /**
   * Attaches the member if it can join at its position. An idle feed starts there, if the
   * position is known good (`canStart`): one the subgraph gave, or an event already received.
   */
  attach(member: FeedMember, canStart: boolean): boolean {
    const position = member.position;
    if (!position) return false;
    if (!this.running) {
      if (!canStart) return false;
      this.start(position);
      this.members.add(member);
      return true;
    }
    if (samePosition(position, this.position)) {
      this.members.add(member);
      return true;
    }
    const index = "after" in position ? this.window.findIndex((entry) => entry.cursor === position.after) : -1;
    if (index < 0) return false;
    this.members.add(member);
    for (const { cursor, event } of this.window.slice(index + 1)) {
      // Flow control may detach the member while it is handed the window.
      if (!this.members.has(member)) break;
      member.fromFeed(event, cursor);
    }
    return true;
  }

  detach(member: FeedMember): void {
    if (!this.members.delete(member)) return;
    if (this.members.size === 0) this.stop();
  }

  /**
   * Registers a member catching up privately, by its position; it is told to join when it can
   * (at once if it already can, or the feed is idle and `canStart`).
   */
  watch(member: FeedMember, canStart: boolean, previous?: Position): void {
    this.forget(member, previous);
    const position = member.position;
    if (!position) return;
    const reached = samePosition(position, this.position) || ("after" in position && this.window.some((entry) => entry.cursor === position.after));
    if (reached || (!this.running && canStart)) {
      member.joinFeed();
      return;
    }
    if ("after" in position) {
      let group = this.candidates.get(position.after);
      if (!group) this.candidates.set(position.after, (group = new Set()));
      group.add(member);
    }
  }

  forget(member: FeedMember, position: Position | undefined): void {
    if (!position || !("after" in position)) return;
    const group = this.candidates.get(position.after);
    if (!group?.delete(member)) return;
    if (group.size === 0) this.candidates.delete(position.after);
    if (this.idle) this.onIdle(this);
  }

  private start(position: Position): void {
    this.position = position;
    this.window = [];
    this.running = true;
    this.generation += 1;
    this.subscribe();
  }

  private stop(): void {
    this.running = false;
    this.position = undefined;
    this.window = [];
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    unsubscribe?.();
    if (this.idle) this.onIdle(this);
  }

  private subscribe(): void {
    if (!this.running) return;
    let active = true;
    const unsubscribe = this.spec.upstream.subscribe(this.spec.principal, this.spec.request(this.position!), {
      next: (event) => {
        if (active && this.running) this.onEvent(event);
      },
      error: (error) => {
        if (!active || !this.running) return;
        active = false;
        void this.onError(error);
      },
      complete: () => {
        if (!active || !this.running) return;
        active = false;
        this.end();
      },
    });
    this.unsubscribe = () => {
      active = false;
      unsubscribe();
    };
  }

  private onEvent(event: UpstreamResult): void {
    const cursor = cursorOf(event.data, this.spec.responseName);
    if (!cursor) {
      // A result without an event (an error mid-stream): every member gets it as it is.
      for (const member of [...this.members]) member.feedEnded({ data: null, ...(event.errors ? { errors: event.errors } : {}) });
      this.members.clear();
      this.stop();
      return;
    }
    this.position = { after: cursor };
    this.window.push({ cursor, event });
    if (this.window.length > WINDOW) this.window.shift();
    for (const member of [...this.members]) member.fromFeed(event, cursor);
    const waiting = this.candidates.get(cursor);
    if (waiting) {
      this.candidates.delete(cursor);
      for (const member of waiting) member.joinFeed();
    }
  }

  private async onError(error: unknown): Promise<void> {
    this.unsubscribe = undefined;
    if (!isConnectionLoss(error)) {
      this.end({ data: null, errors: error as ClientResult["errors"] });
      return;
    }
    const generation = this.generation;
    await this.spec.upstream.retryGate();
    if (generation === this.generation && !this.unsubscribe) this.subscribe();
  }

  private end(result?: ClientResult): void {
    const members = [...this.members];
    this.members.clear();
    this.stop();
    for (const member of members) member.feedEnded(result);
  }
}

/** The feeds of one gateway, by what they send upstream. */
export class Feeds {
  private readonly feeds = new Map<string, UpstreamFeed>();
  private readonly pending = new Map<string, Promise<unknown>>();

  /** Runs `fn` once for concurrent callers with the same key (start positions). */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let running = this.pending.get(key) as Promise<T> | undefined;
    if (!running) {
      running = fn().finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    return running;
  }

  peek(key: string): UpstreamFeed | undefined {
    return this.feeds.get(key);
  }

  for(key: string, spec: FeedSpec): UpstreamFeed {
    let feed = this.feeds.get(key);
    if (!feed) {
      const created = new UpstreamFeed(spec, (idle) => {
        if (this.feeds.get(key) === idle && idle.idle) this.feeds.delete(key);
      });
      this.feeds.set(key, created);
      feed = created;
    }
    return feed;
  }

  get size(): number {
    return this.feeds.size;
  }
}
