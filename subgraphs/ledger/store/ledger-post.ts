// The ledger store's write: one call of the SQL function ledger_post (sql/ledger_post.sql) with
// every posting of a call as JSON. LedgerPostPayload is that JSON's one type, the contract with
// the function's jsonb_to_recordset column lists; ledgerPostPayload maps postings onto it.
// Raw SQL by design: one statement per commit whatever the batch (see README.md, "Store").

import type { SqlClient } from "../../shared/db/database.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import { eventsFor, netOf, type BalanceTransactionType, type LedgerAccountKind, type Posting } from "../domain/ledger.ts";

/** The tenant and mode a posting belongs to. */
export interface LedgerScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

/** A posting and the tenant and mode it belongs to. */
export interface ScopedPosting {
  readonly scope: LedgerScope;
  readonly posting: Posting;
}

interface ScopeColumns {
  readonly tenant_id: string;
  readonly livemode: boolean;
}

/** Amounts are decimal strings (NUMERIC(38,0)); timestamps ISO 8601. */
export interface LedgerPostPayload {
  readonly transactions: readonly (ScopeColumns & {
    readonly id: string;
    readonly kind: string;
    readonly reference: string | null;
    readonly reverses_id: string | null;
  })[];
  /** `posting`: the index of its posting in `transactions` (events are numbered in that order). */
  readonly entries: readonly (ScopeColumns & {
    readonly transaction_id: string;
    readonly account_id: string;
    readonly currency: string;
    readonly kind: LedgerAccountKind;
    readonly amount: string;
    readonly posting: number;
  })[];
  readonly balance_transactions: readonly (ScopeColumns & {
    readonly id: string;
    readonly account_id: string;
    readonly type: BalanceTransactionType;
    readonly currency: string;
    readonly amount: string;
    readonly fee: string;
    readonly net: string;
    readonly status: "PENDING" | "AVAILABLE";
    readonly available_on: string;
    readonly description: string | null;
    readonly source_id: string | null;
    readonly ledger_transaction_id: string;
  })[];
  readonly events: readonly (ScopeColumns & {
    readonly posting: number;
    readonly id: string;
    readonly account_id: string;
    readonly currency: string;
    readonly balance_transaction_id: string | null;
  })[];
  /** NOTIFY the touched accounts inside the transaction (when the caller cannot after commit). */
  readonly notify: boolean;
}

export function ledgerPostPayload(items: readonly ScopedPosting[], notify: boolean): LedgerPostPayload {
  const postings = items.map((item) => item.posting);
  const scopeOf = (index: number): ScopeColumns => ({ tenant_id: items[index]!.scope.tenantId, livemode: items[index]!.scope.livemode });
  return {
    transactions: postings.map((p, index) => ({
      id: p.id,
      ...scopeOf(index),
      kind: p.kind,
      reference: p.reference ?? null,
      reverses_id: p.reversesId ?? null,
    })),
    entries: postings.flatMap((p, posting) =>
      p.entries.map((e) => ({
        transaction_id: p.id,
        ...scopeOf(posting),
        account_id: e.accountId,
        currency: e.currency,
        kind: e.kind,
        amount: e.amount.toString(),
        posting,
      })),
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
    notify,
  };
}

export async function callLedgerPost(sql: SqlClient, payload: LedgerPostPayload): Promise<void> {
  await sql.query("SELECT ledger_post($1::jsonb)", [JSON.stringify(payload)]);
}
