// One subscription's stream: replay from the client's cursor, then live events, with no gap and
// no duplicate at the seam.
//
//   1. join the hub: from now on it hands this subscriber every row after position J;
//      (with `current`: first each currency's newest row at or before the start, J or the cursor);
//   2. replay (start, J] from the table in pages (the rows the hub will never hand over);
//   3. then live rows, skipping any at or before the last one sent;
//   4. if the subscriber's inbox overflowed, back to 2 up to the newest row it let go.
//
// Rows of one account are visible in seq order (see the ledger's store/balance-events.ts), so the hub's "after J" and
// the replay's "up to J" cover everything exactly once.

import type { Database } from "../../shared/db/database.ts";
import { currentEvents, readEventRange, type BalanceEventRow, type EventScope } from "../../ledger/api.ts";
import type { BalanceEventHub } from "./hub.ts";
import { LAGGED, Subscriber } from "./subscriber.ts";

const REPLAY_PAGE = 200;

export interface StreamRequest {
  readonly hub: BalanceEventHub;
  readonly db: Database;
  readonly scope: EventScope;
  readonly accountId: string;
  /** Replay every row after this position first; "live" starts with the rows after joining. */
  readonly start: bigint | "live";
  /**
   * Begin with the account's balances at the start position: each currency's newest event at or
   * before it (before any replayed or live row, so the stream is still in commit order per currency).
   */
  readonly current?: boolean;
  readonly bufferEvents: number;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * An iterator rather than a bare async generator: a generator waiting for the next event cannot
 * be returned until one arrives, so an unsubscribe on a quiet account would never let go of its
 * place in the hub. `return()` here takes effect at once.
 */
export function streamBalanceEvents(request: StreamRequest): AsyncIterableIterator<BalanceEventRow> {
  const subscriber = new Subscriber(request.accountId, request.scope, request.bufferEvents);
  const rows = produce(request, subscriber);
  let closed = false;
  let resolveClosed: (result: IteratorReturnResult<undefined>) => void = () => {};
  const whenClosed = new Promise<IteratorReturnResult<undefined>>((resolve) => (resolveClosed = resolve));
  const close = () => {
    if (closed) return;
    closed = true;
    subscriber.end();
    request.hub.leave(subscriber);
    resolveClosed(DONE);
    void rows.return(undefined).catch(() => {});
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (closed) return DONE;
      try {
        const step = await Promise.race([rows.next(), whenClosed]);
        if (step.done) close();
        return step.done ? DONE : step;
      } catch (error) {
        close();
        throw error;
      }
    },
    async return() {
      close();
      return DONE;
    },
    async throw(error: unknown) {
      close();
      throw error;
    },
  };
}

async function* produce(request: StreamRequest, subscriber: Subscriber): AsyncGenerator<BalanceEventRow, void, undefined> {
  const { hub, db, scope, accountId } = request;
  try {
    let upTo = await hub.join(subscriber);
    let last = request.start === "live" ? upTo : request.start;
    if (request.current) for (const row of await currentEvents(db, scope, accountId, last)) yield row;
    for (;;) {
      // From the table: (last, upTo], the rows the inbox will not hand over.
      while (last < upTo) {
        const page = await readEventRange(db, scope, accountId, last, upTo, REPLAY_PAGE);
        for (const row of page) {
          last = row.seq;
          yield row;
        }
        if (page.length < REPLAY_PAGE) last = upTo;
      }
      // Live, until the inbox overflows and sends us back to the table.
      for (;;) {
        const row = await subscriber.next();
        if (row === undefined) return;
        if (row === LAGGED) {
          upTo = subscriber.resume();
          break;
        }
        if (row.seq <= last) continue;
        last = row.seq;
        yield row;
      }
    }
  } finally {
    hub.leave(subscriber);
  }
}
