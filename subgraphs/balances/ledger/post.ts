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

export interface BalanceAfter {
  readonly accountId: string;
  readonly currency: string;
  readonly available: bigint;
  readonly pending: bigint;
}


/** Raised by the database when a customer balance would go below zero. */
const INSUFFICIENT_FUNDS_STATE = "MG001";

export class LedgerInvariantError extends Error {}

/**
 * Appends the postings (each a balanced ledger transaction) and returns the customer balances
 * they leave behind. Throws INSUFFICIENT_FUNDS, and changes nothing, if any customer balance
 * would go negative; throws LedgerInvariantError for a posting that does not balance (a bug).
 */
export async function post(sql: SqlClient, scope: LedgerScope, postings: readonly Posting[]): Promise<BalanceAfter[]> {
  for (const posting of postings) {
    const problem = checkPosting(posting);
    if (problem) throw new LedgerInvariantError(`refusing posting ${posting.id}: ${JSON.stringify(problem, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
  }
  const payload = {
    tenant_id: scope.tenantId,
    livemode: scope.livemode,
    transactions: postings.map((p) => ({ id: p.id, kind: p.kind, reference: p.reference ?? null, reverses_id: p.reversesId ?? null })),
    entries: postings.flatMap((p, posting) =>
      p.entries.map((e) => ({ transaction_id: p.id, account_id: e.accountId, currency: e.currency, kind: e.kind, amount: e.amount.toString(), posting })),
    ),
    balance_transactions: postings.flatMap((p) =>
      (p.balanceTransactions ?? []).map((bt) => ({
        id: bt.id,
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
      account_id: e.accountId,
      currency: e.currency,
      balance_transaction_id: e.balanceTransactionId ?? null,
    })),
  };
  try {
    const rows = await sql.query<{ result: { balances: { account_id: string; currency: string; available: string; pending: string }[] } }>(
      "SELECT ledger_post($1::jsonb) AS result",
      [JSON.stringify(payload)],
    );
    return (rows[0]?.result.balances ?? []).map((b) => ({
      accountId: b.account_id,
      currency: b.currency,
      available: BigInt(b.available),
      pending: BigInt(b.pending),
    }));
  } catch (error) {
    if (sqlStateOf(error) === INSUFFICIENT_FUNDS_STATE) {
      throw new AppError("INSUFFICIENT_FUNDS", "Insufficient available funds for this operation");
    }
    throw error;
  }
}
