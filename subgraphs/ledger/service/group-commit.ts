// Group commit for postings that need nothing else in their commit: `post` and `postScoped`
// called on an autocommit client (`db.sql`). Each such call was one statement and one commit, so
// a hot account committed one posting per WAL flush, its row lock held across the flush. Now up
// to MAX_IN_FLIGHT (two) statements run at once, and calls that arrive while they do wait for the
// next free one and share it: up to MAX_POSTINGS postings of any tenants in one `ledger_post` call
// (one statement, one commit), each still its own ledger transaction, history rows and balance
// events (numbered as if they had committed one at a time). At low load a batch is one call and
// nothing waits.
//
// A batch is all or nothing, so a batch the ledger refuses (one call short of funds: MG001, or
// data no commit can hold) is split in two and each half tried again, until the call at fault
// fails alone and every other call commits (shared/db/split-on-failure.ts, as the transfer
// batcher does): one tenant's refusal never fails another's posting. One group commit per
// autocommit client (a WeakMap on the client), so per process.

import { Counter, Histogram } from "prom-client";
import type { SqlClient } from "../../shared/db/database.ts";
import { commitSplittingOnFailure } from "../../shared/db/split-on-failure.ts";
import { processRegistry } from "../../shared/metrics.ts";
import type { ScopedPosting } from "../store/ledger-post.ts";

/** Postings per statement, at most (a call is never split: one larger than this goes alone). */
export const MAX_POSTINGS = 64;

/**
 * Statements in flight at once. One at a time left the second core idle on postings of many
 * accounts (0.7x the rate of a statement per call; one large statement of every caller measured
 * 0.74x spread, 0.58x hot against four). At 32 callers four carried 3.8 calls a statement spread
 * and 5.3 hot, two carry 6.7 and 8.4: against four, two measured 0.90–1.27x the postings per
 * second spread and 1.08–1.25x hot in three runs, with 0.68–1.00x the Postgres CPU per posting
 * (docs/performance.md). On one hot account the later statement waits for its row lock and goes
 * as soon as the earlier commits. Locks are taken in the global ledger account order, so
 * statements in flight never deadlock.
 */
export const MAX_IN_FLIGHT = 2;

const batchCalls = new Histogram({
  name: "moneygraph_ledger_group_commit_calls",
  help: "Calls of post on an autocommit client per ledger_post statement, as taken from the queue (before any split)",
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [processRegistry],
});

const splits = new Counter({
  name: "moneygraph_ledger_group_commit_splits_total",
  help: "Group commits of postings the ledger refused as a whole and split in two to isolate the call at fault",
  registers: [processRegistry],
});

/** Writes the postings in one statement, all or nothing (postScoped's write). */
export type WritePostings = (sql: SqlClient, items: readonly ScopedPosting[]) => Promise<void>;

interface Call {
  readonly items: readonly ScopedPosting[];
  resolve(): void;
  reject(error: unknown): void;
}

class GroupCommit {
  private readonly queue: Call[] = [];
  private inFlight = 0;

  constructor(
    private readonly sql: SqlClient,
    private readonly write: WritePostings,
  ) {}

  submit(items: readonly ScopedPosting[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.pump();
    });
  }

  /** Starts statements for the queued calls while fewer than MAX_IN_FLIGHT are running. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < MAX_IN_FLIGHT) {
      const batch = this.take();
      batchCalls.observe(batch.length);
      this.inFlight += 1;
      void this.commit(batch)
        .catch((error: unknown) => batch.map(() => error as Error))
        .then((outcomes) => {
          this.inFlight -= 1;
          batch.forEach((call, i) => {
            const outcome = outcomes[i];
            if (outcome) call.reject(outcome);
            else call.resolve();
          });
          this.pump();
        });
    }
  }

  /** The calls at the head of the queue whose postings fit in one statement (at least one call). */
  private take(): Call[] {
    let postings = this.queue[0]!.items.length;
    let calls = 1;
    while (calls < this.queue.length && postings + this.queue[calls]!.items.length <= MAX_POSTINGS) {
      postings += this.queue[calls]!.items.length;
      calls += 1;
    }
    return this.queue.splice(0, calls);
  }

  /** What each call came to: undefined when committed, else the error its caller gets. */
  private commit(calls: readonly Call[]): Promise<(Error | undefined)[]> {
    return commitSplittingOnFailure(
      calls,
      async (part) => {
        await this.write(this.sql, part.length === 1 ? part[0]!.items : part.flatMap((call) => call.items));
        return part.map(() => undefined);
      },
      () => splits.inc(),
    );
  }
}

const groupCommits = new WeakMap<SqlClient, GroupCommit>();

/** Commits `items` in the autocommit client's next shared statement; resolves once they committed. */
export function groupCommit(sql: SqlClient, items: readonly ScopedPosting[], write: WritePostings): Promise<void> {
  let commit = groupCommits.get(sql);
  if (!commit) groupCommits.set(sql, (commit = new GroupCommit(sql, write)));
  return commit.submit(items);
}
