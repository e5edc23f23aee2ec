// The ledger module's write API. Every movement of money in the platform goes through `post`,
// inside the caller's database transaction (payouts and crypto call it in-process with their
// own transaction, so their state change and its ledger transaction are one commit). It takes
// a SqlClient: a raw transaction (db.transaction) or a Prisma one wrapped with sqlOf(tx).

import type { SqlClient } from "../../shared/db/database.ts";
import { AppError } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { checkPosting, eventsFor, netOf, type Posting } from "../domain/ledger.ts";
import { sqlStateOf } from "../../shared/db/errors.ts";

export interface LedgerScope {
  readonly tenantId: string;
  readonly livemode: boolean;
}

/** A posting and the tenant and mode it belongs to. */
export interface ScopedPosting {
  readonly scope: LedgerScope;
  readonly posting: Posting;
}

/** The channel ledger_post's balance events are signalled on (payload: the account id). */
export const BALANCE_EVENTS_CHANNEL = "balance_events";

/** Raised by the database when a customer balance would go below zero. */
const INSUFFICIENT_FUNDS_STATE = "MG001";

export class LedgerInvariantError extends Error {}

/**
 * Appends the postings (each a balanced ledger transaction) of one tenant and mode. Throws
 * INSUFFICIENT_FUNDS, and changes nothing, if any customer balance would go negative; throws
 * LedgerInvariantError for a posting that does not balance (a bug).
 */
export async function post(sql: SqlClient, scope: LedgerScope, postings: readonly Posting[]): Promise<void> {
  await postScoped(sql, postings.map((posting) => ({ scope, posting })));
}

/**
 * `post` for postings of several tenants and modes at once: one statement, so that a group
 * commit can carry many platforms' postings. All or nothing, like `post`.
 */
export async function postScoped(sql: SqlClient, items: readonly ScopedPosting[]): Promise<void> {
  for (const { posting } of items) {
    const problem = checkPosting(posting);
    if (problem) throw new LedgerInvariantError(`refusing posting ${posting.id}: ${JSON.stringify(problem, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
  }
  if (items.length === 0) return;
  const postings = items.map((item) => item.posting);
  const scopeOf = (index: number) => ({ tenant_id: items[index]!.scope.tenantId, livemode: items[index]!.scope.livemode });
  const payload = {
    transactions: postings.map((p, index) => ({ id: p.id, ...scopeOf(index), kind: p.kind, reference: p.reference ?? null, reverses_id: p.reversesId ?? null })),
    entries: postings.flatMap((p, posting) =>
      p.entries.map((e) => ({ transaction_id: p.id, ...scopeOf(posting), account_id: e.accountId, currency: e.currency, kind: e.kind, amount: e.amount.toString(), posting })),
    ),
    balance_transactions: postings.flatMap((p, index) =>
      (p.balanceTransactions ?? []).map((bt) => ({
        id: bt.id,
        ...scopeOf(index),
        account_id: bt.accountId,
        type: bt.type,
        currency: bt.currency,
        amount: bt.amount.toString(),
        fee: bt.fee.toString(),
        net: netOf(bt).toString(),
        status: bt.status,
        available_on: bt.availableOn.toISOString(),
        description: bt.description ?? null,
        source_id: bt.sourceId ?? null,
        ledger_transaction_id: p.id,
      })),
    ),
    events: eventsFor(postings).map((e) => ({
      posting: e.posting,
      id: newId("balanceEvent"),
      ...scopeOf(e.posting),
      account_id: e.accountId,
      currency: e.currency,
      balance_transaction_id: e.balanceTransactionId ?? null,
    })),
  };
  // Subscribers hear of the change by a NOTIFY per touched account: after the commit where the
  // client can promise that (outside the transaction, so commits do not queue on Postgres's
  // notification lock), inside the transaction otherwise.
  const notifyAfterCommit = sql.notifyAfterCommit?.bind(sql);
  try {
    await sql.query("SELECT ledger_post($1::jsonb)", [JSON.stringify({ ...payload, notify: !notifyAfterCommit })]);
  } catch (error) {
    if (sqlStateOf(error) === INSUFFICIENT_FUNDS_STATE) {
      throw new AppError("INSUFFICIENT_FUNDS", "Insufficient available funds for this operation");
    }
    throw error;
  }
  notifyAfterCommit?.(BALANCE_EVENTS_CHANNEL, [...new Set(payload.events.map((e) => e.account_id))]);
}
