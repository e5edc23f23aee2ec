// The ledger module's write API. Every movement of money in the platform goes through `post`,
// inside the caller's database transaction (payouts and crypto call it in-process with their
// own transaction, so their state change and its ledger transaction are one commit), or on the
// autocommit client for a posting that needs nothing else in its commit (then it shares a
// statement and a commit with concurrent calls: group-commit.ts). It checks the postings, writes
// them with one call of ledger_post (store/ledger-post.ts) and counts what happened.

import { Counter, Histogram } from "prom-client";
import type { SqlClient } from "../../shared/db/database.ts";
import { AppError } from "../../shared/errors.ts";
import { processRegistry, secondsSince } from "../../shared/metrics.ts";
import { checkPosting, type Posting } from "../domain/ledger.ts";
import { sqlStateOf } from "../../shared/db/errors.ts";
import { groupCommit } from "./group-commit.ts";
import { callLedgerPost, ledgerPostPayload, type LedgerScope, type ScopedPosting } from "../store/ledger-post.ts";

export type { LedgerScope, ScopedPosting } from "../store/ledger-post.ts";

/** The channel ledger_post's balance events are signalled on (payload: the account id). */
export const BALANCE_EVENTS_CHANNEL = "balance_events";

/** Raised by the database when a customer balance would go below zero. */
const INSUFFICIENT_FUNDS_STATE = "MG001";

export class LedgerInvariantError extends Error {}

// What the ledger wrote, as the posting statement saw it: "posted" means the statement succeeded
// inside its caller's transaction (which commits, or rolls back, after). Labelled by posting kind
// (TRANSFER, PAYOUT, CRYPTO_DEPOSIT…: a fixed set in the code, naming the module that moved the
// money), never by tenant or account.
type PostOutcome = "posted" | "insufficient_funds" | "invalid" | "error";

const postingCount = new Counter({
  name: "moneygraph_ledger_postings_total",
  help: "Ledger postings (balanced ledger transactions) by kind and the outcome their call got; a transfer batch split to isolate a refusal counts its postings again",
  labelNames: ["kind", "outcome"],
  registers: [processRegistry],
});

const postDuration = new Histogram({
  name: "moneygraph_ledger_post_duration_seconds",
  help: "Time of one ledger_post statement (all the postings of a call, a group commit's included), by outcome",
  labelNames: ["outcome"],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [processRegistry],
});

/** Counts a call's postings by kind, once, with the outcome its caller got. */
function recordPost(items: readonly ScopedPosting[], outcome: PostOutcome): void {
  const kinds = new Map<string, number>();
  for (const { posting } of items) kinds.set(posting.kind, (kinds.get(posting.kind) ?? 0) + 1);
  for (const [kind, count] of kinds) postingCount.inc({ kind, outcome }, count);
}

/**
 * Appends the postings (each a balanced ledger transaction) of one tenant and mode. Throws
 * INSUFFICIENT_FUNDS, and changes nothing, if any customer balance would go negative; throws
 * LedgerInvariantError for a posting that does not balance (a bug).
 */
export async function post(sql: SqlClient, scope: LedgerScope, postings: readonly Posting[]): Promise<void> {
  await postScoped(
    sql,
    postings.map((posting) => ({ scope, posting })),
  );
}

/**
 * `post` for postings of several tenants and modes at once: one statement, so that a group
 * commit can carry many platforms' postings. All or nothing, like `post`. On an autocommit
 * client (`db.sql`) the call joins the ledger's group commit (group-commit.ts): concurrent calls
 * share one statement and one commit, and each still succeeds or fails on its own postings.
 */
export async function postScoped(sql: SqlClient, items: readonly ScopedPosting[]): Promise<void> {
  for (const { posting } of items) {
    const problem = checkPosting(posting);
    if (problem) {
      recordPost(items, "invalid");
      throw new LedgerInvariantError(
        `refusing posting ${posting.id}: ${JSON.stringify(problem, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`,
      );
    }
  }
  if (items.length === 0) return;
  try {
    await (sql.autocommit ? groupCommit(sql, items, writePostings) : writePostings(sql, items));
  } catch (error) {
    recordPost(items, error instanceof AppError && error.code === "INSUFFICIENT_FUNDS" ? "insufficient_funds" : "error");
    throw error;
  }
  recordPost(items, "posted");
}

/** One ledger_post statement for `items`, timed by outcome; MG001 becomes INSUFFICIENT_FUNDS. */
async function writePostings(sql: SqlClient, items: readonly ScopedPosting[]): Promise<void> {
  // Subscribers hear of the change by a NOTIFY per touched account: after the commit where the
  // client can promise that (outside the transaction, so commits do not queue on Postgres's
  // notification lock), inside the transaction otherwise.
  const notifyAfterCommit = sql.notifyAfterCommit?.bind(sql);
  const payload = ledgerPostPayload(items, !notifyAfterCommit);
  const started = performance.now();
  try {
    await callLedgerPost(sql, payload);
  } catch (error) {
    if (sqlStateOf(error) === INSUFFICIENT_FUNDS_STATE) {
      postDuration.observe({ outcome: "insufficient_funds" }, secondsSince(started));
      throw new AppError("INSUFFICIENT_FUNDS", "Insufficient available funds for this operation");
    }
    postDuration.observe({ outcome: "error" }, secondsSince(started));
    throw error;
  }
  postDuration.observe({ outcome: "posted" }, secondsSince(started));
  notifyAfterCommit?.(BALANCE_EVENTS_CHANNEL, [...new Set(payload.events.map((e) => e.account_id))]);
}
