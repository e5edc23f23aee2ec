// One subscription's inbox of live events: filled by the hub, drained by the stream.
//
// Bounded without dropping anyone: when more than `limit` rows wait (a burst, or a reader that
// is slow), the inbox empties itself and only remembers the position of the newest row it let
// go. The stream then re-reads those rows from the table, where they are anyway, and carries on
// live. Memory stays at most `limit` rows per subscriber; the reader loses nothing. (This
// process's reader is the gateway, whose one socket carries every client's subscriptions:
// disconnecting it for one busy account would hurt all of them. The gateway bounds and
// disconnects its own slow clients.)

import type { BalanceEventRow, EventScope } from "../../ledger/api.ts";

/** What `next()` answers when rows were let go: call `resume()` and re-read up to its result. */
export const LAGGED = Symbol("lagged");

export class Subscriber {
  private queue: BalanceEventRow[] = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private droppedUpTo: bigint | undefined;
  private ended = false;

  constructor(
    readonly accountId: string,
    readonly scope: EventScope,
    private readonly limit: number,
  ) {}

  /** Offers a row of this subscriber's account; rows of another tenant or mode are not its own. */
  push(row: BalanceEventRow): void {
    if (this.ended) return;
    if (row.tenantId !== this.scope.tenantId || row.livemode !== this.scope.livemode) return;
    if (this.droppedUpTo !== undefined || this.pending >= this.limit) {
      this.droppedUpTo = row.seq;
      this.queue = [];
      this.head = 0;
    } else {
      this.queue.push(row);
    }
    this.signal();
  }

  /** No more events will come (the hub is stopping): the stream completes. */
  end(): void {
    this.ended = true;
    this.signal();
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  /**
   * After LAGGED: the position of the newest row let go. Rows after it are queued again from
   * now on, so the reader re-reads up to it from the table and loses nothing.
   */
  resume(): bigint {
    const upTo = this.droppedUpTo;
    if (upTo === undefined) throw new Error("resume() without LAGGED");
    this.droppedUpTo = undefined;
    return upTo;
  }

  /** The next row, waiting for one; LAGGED when rows were let go; undefined once ended. */
  async next(): Promise<BalanceEventRow | typeof LAGGED | undefined> {
    for (;;) {
      if (this.ended) return undefined;
      if (this.droppedUpTo !== undefined) return LAGGED;
      if (this.head < this.queue.length) {
        const row = this.queue[this.head]!;
        this.head += 1;
        // Compact now and then instead of shifting on every read.
        if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        return row;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
