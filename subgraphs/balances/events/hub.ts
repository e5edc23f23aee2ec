// The process's one view of new balance events: one LISTEN on `balance_events` (payload: the
// account id), fanned out in memory to every subscriber of that account.
//
// A notification is only a wake-up. The hub keeps, per account with subscribers, the position of
// the last row it has handed out, and on a wake-up reads the rows after it from the table: many
// wake-ups for one account while a read is in flight cost one more read, and reads for many
// accounts go to the database together. A periodic re-read and a re-read after the listening
// connection comes back cover notifications that never arrived.

import type { Database, Unlisten } from "../../shared/db/database.ts";
import type { OutageReporter } from "../../shared/db/outage.ts";
import { BALANCE_EVENTS_CHANNEL, latestSeq, readNewEvents } from "../../ledger/api.ts";
import type { Logger } from "../../shared/logger.ts";
import type { Subscriber } from "./subscriber.ts";

export { BALANCE_EVENTS_CHANNEL };

/** Accounts per read, and rows per account per read (an account with more is read again). */
const ACCOUNTS_PER_READ = 500;
const ROWS_PER_ACCOUNT = 500;
const RETRY_AFTER_FAILURE_MS = 1_000;

interface Feed {
  readonly accountId: string;
  /** Position of the last row handed out; undefined until the first read of max(seq). */
  cursor: bigint | undefined;
  readonly ready: Promise<bigint>;
  readonly subscribers: Set<Subscriber>;
}

export interface HubOptions {
  readonly db: Database;
  readonly logger: Logger;
  /** How often every followed account is re-read whatever the notifications said (0: never). */
  readonly pollMs: number;
  /** Where an unreachable database is reported (logged once per outage, not per read). */
  readonly outage?: OutageReporter | undefined;
}

export class BalanceEventHub {
  private readonly feeds = new Map<string, Feed>();
  private readonly dirty = new Set<string>();
  private pumping: Promise<void> | undefined;
  private listening: Promise<Unlisten> | undefined;
  private poll: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: HubOptions) {}

  /** Accounts followed and subscribers attached, for health and benchmarks. */
  stats(): { accounts: number; subscribers: number } {
    let subscribers = 0;
    for (const feed of this.feeds.values()) subscribers += feed.subscribers.size;
    return { accounts: this.feeds.size, subscribers };
  }

  /**
   * Subscribers attached to one account; with `positioned`, only once the account's position is
   * read, from when on every event committed reaches them (before it, one committed meanwhile may
   * fall before their start).
   */
  subscriberCount(accountId: string, positioned = false): number {
    const feed = this.feeds.get(accountId);
    if (!feed || (positioned && feed.cursor === undefined)) return 0;
    return feed.subscribers.size;
  }

  /**
   * Attaches a subscriber to its account's live rows. Resolves with J: the subscriber will be
   * handed every row after J (and perhaps a few at or before it, which it skips).
   */
  async join(subscriber: Subscriber): Promise<bigint> {
    if (this.stopped) throw new Error("balance event hub is stopped");
    await this.listen();
    let feed = this.feeds.get(subscriber.accountId);
    if (!feed) {
      feed = this.follow(subscriber.accountId);
    }
    feed.subscribers.add(subscriber);
    return feed.cursor ?? feed.ready;
  }

  leave(subscriber: Subscriber): void {
    const feed = this.feeds.get(subscriber.accountId);
    if (!feed?.subscribers.delete(subscriber)) return;
    if (feed.subscribers.size === 0) this.feeds.delete(subscriber.accountId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.retry);
    for (const feed of this.feeds.values()) for (const subscriber of feed.subscribers) subscriber.end();
    this.feeds.clear();
    this.dirty.clear();
    const listening = this.listening;
    this.listening = undefined;
    await (await listening?.catch(() => undefined))?.().catch(() => {});
    await this.pumping;
  }

  private follow(accountId: string): Feed {
    const feed: Feed = {
      accountId,
      cursor: undefined,
      subscribers: new Set(),
      ready: latestSeq(this.options.db, accountId).then((seq) => {
        feed.cursor = seq;
        // Wake-ups that came while this was read were ignored: look once more.
        this.wake(accountId);
        return seq;
      }),
    };
    feed.ready.catch((error: unknown) => {
      if (!this.options.outage?.report(error))
        this.options.logger.error({ err: error, accountId }, "could not read the balance event position");
      if (this.feeds.get(accountId) === feed) this.feeds.delete(accountId);
    });
    this.feeds.set(accountId, feed);
    return feed;
  }

  private listen(): Promise<Unlisten> {
    this.listening ??= this.options.db
      .listen(
        BALANCE_EVENTS_CHANNEL,
        (accountId) => this.wake(accountId),
        () => this.wakeAll(),
      )
      .then((unlisten) => {
        if (this.options.pollMs > 0) {
          this.poll = setInterval(() => this.wakeAll(), this.options.pollMs);
          this.poll.unref();
        }
        return unlisten;
      })
      .catch((error: unknown) => {
        this.listening = undefined;
        throw error;
      });
    return this.listening;
  }

  private wake(accountId: string): void {
    if (this.stopped || !this.feeds.has(accountId)) return;
    this.dirty.add(accountId);
    // After a failed read, wait for the retry instead of hammering the database.
    if (!this.retry) this.kick();
  }

  private kick(): void {
    if (this.stopped || this.pumping || this.dirty.size === 0) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      // Wake-ups between the pump's last look and now found it still running.
      if (!this.retry) this.kick();
    });
  }

  private wakeAll(): void {
    for (const accountId of this.feeds.keys()) this.wake(accountId);
  }

  /** Reads until no followed account has rows it has not handed out; one read at a time. */
  private async pump(): Promise<void> {
    while (this.dirty.size > 0 && !this.stopped) {
      const batch: Feed[] = [];
      for (const accountId of this.dirty) {
        this.dirty.delete(accountId);
        const feed = this.feeds.get(accountId);
        // A feed still reading its position wakes itself when done.
        if (feed?.cursor !== undefined) batch.push(feed);
        if (batch.length === ACCOUNTS_PER_READ) break;
      }
      if (batch.length === 0) continue;
      let rows;
      try {
        rows = await readNewEvents(
          this.options.db,
          batch.map((feed) => [feed.accountId, feed.cursor!] as const),
          ROWS_PER_ACCOUNT,
        );
      } catch (error) {
        if (this.stopped) return;
        if (!this.options.outage?.report(error)) this.options.logger.error({ err: error }, "could not read balance events; retrying");
        for (const feed of batch) this.dirty.add(feed.accountId);
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.kick();
        }, RETRY_AFTER_FAILURE_MS);
        this.retry.unref();
        return;
      }
      const counts = new Map<Feed, number>();
      const byAccount = new Map(batch.map((feed) => [feed.accountId, feed]));
      for (const row of rows) {
        const feed = byAccount.get(row.accountId)!;
        counts.set(feed, (counts.get(feed) ?? 0) + 1);
        if (row.seq <= feed.cursor!) continue;
        feed.cursor = row.seq;
        // A feed dropped (last subscriber gone) during the read has nobody left to tell.
        for (const subscriber of feed.subscribers) subscriber.push(row);
      }
      for (const [feed, count] of counts) if (count >= ROWS_PER_ACCOUNT) this.wake(feed.accountId);
    }
  }
}
