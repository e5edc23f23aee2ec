// The ledger store's reads of the balance event outbox (balance_event, written by ledger_post),
// the one source of truth for the balances subgraph's event stream:
// NOTIFY only says "look again". For one account, `seq` grows in commit order (the ledger writes
// an account's events under that account's lock), so "every row after my cursor" never skips a
// row that commits later. Raw SQL on the hot path: these run per wake-up, not per request.

import type { Database } from "../../shared/db/database.ts";
import type { AccountId, BalanceTransactionId, Id } from "../../shared/ids.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";

export interface EventScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

export interface BalanceEventRow {
  /** The commit-ordered position; never leaves the subgraph (clients see `id`). */
  readonly seq: bigint;
  readonly id: Id<"balanceEvent">;
  readonly tenantId: AccountId;
  readonly livemode: boolean;
  readonly accountId: AccountId;
  readonly currency: Currency;
  readonly available: bigint;
  readonly pending: bigint;
  readonly held: bigint;
  readonly balanceTransactionId: BalanceTransactionId | null;
  readonly occurredAt: Date;
}

interface RawRow {
  seq: string;
  id: Id<"balanceEvent">;
  tenant_id: AccountId;
  livemode: boolean;
  account_id: AccountId;
  currency: string;
  available: string;
  pending: string;
  held: string;
  balance_transaction_id: BalanceTransactionId | null;
  occurred_at: Date;
}

// Text casts: PGlite reads BIGINT as a JS number (inexact past 2^53), pg as a string.
const COLUMNS = `e.seq::text AS seq, e.id, e.tenant_id, e.livemode, e.account_id, e.currency,
  e.available::text AS available, e.pending::text AS pending, e.held::text AS held, e.balance_transaction_id, e.occurred_at`;

function toRow(raw: RawRow): BalanceEventRow {
  const currency = parseCurrency(raw.currency);
  if (!currency) throw new Error(`balance event ${raw.id} has an unknown currency ${raw.currency}`);
  return {
    seq: BigInt(raw.seq),
    id: raw.id,
    tenantId: raw.tenant_id,
    livemode: raw.livemode,
    accountId: raw.account_id,
    currency,
    available: BigInt(raw.available),
    pending: BigInt(raw.pending),
    held: BigInt(raw.held),
    balanceTransactionId: raw.balance_transaction_id,
    occurredAt: raw.occurred_at,
  };
}

/**
 * New rows of many accounts in one round trip: for each (account, cursor), up to `limit` rows
 * after the cursor, in seq order. Every scope: the hub filters per subscriber.
 */
export async function readNewEvents(
  db: Database,
  cursors: readonly (readonly [accountId: string, after: bigint])[],
  limit: number,
): Promise<BalanceEventRow[]> {
  if (cursors.length === 0) return [];
  const rows = await db.sql.query<RawRow>(
    `SELECT ${COLUMNS}
       FROM unnest($1::varchar[], $2::bigint[]) AS c(account_id, after)
       CROSS JOIN LATERAL (
         SELECT * FROM balance_event b
          WHERE b.account_id = c.account_id AND b.seq > c.after
          ORDER BY b.seq
          LIMIT $3
       ) e
      ORDER BY e.account_id, e.seq`,
    [cursors.map(([accountId]) => accountId), cursors.map(([, after]) => after.toString()), limit],
  );
  return rows.map(toRow);
}

/** One account's rows in (after, upTo], in seq order, inside the caller's tenant and mode. */
export async function readEventRange(
  db: Database,
  scope: EventScope,
  accountId: string,
  after: bigint,
  upTo: bigint,
  limit: number,
): Promise<BalanceEventRow[]> {
  const rows = await db.sql.query<RawRow>(
    `SELECT ${COLUMNS} FROM balance_event e
      WHERE e.account_id = $1 AND e.seq > $2 AND e.seq <= $3 AND e.tenant_id = $4 AND e.livemode = $5
      ORDER BY e.seq
      LIMIT $6`,
    [accountId, after.toString(), upTo.toString(), scope.tenantId, scope.livemode, limit],
  );
  return rows.map(toRow);
}

/** The position of an account's newest row (0 when it has none), whatever its scope. */
export async function latestSeq(db: Database, accountId: string): Promise<bigint> {
  const [row] = await db.sql.query<{ seq: string | null }>(`SELECT max(seq)::text AS seq FROM balance_event WHERE account_id = $1`, [
    accountId,
  ]);
  return BigInt(row?.seq ?? 0);
}

/**
 * The account's balances as events: for each currency it holds, its newest event at or before
 * `upTo` (the balances after it), in seq order. One index walk back per currency (the account's
 * currencies are its ledger accounts'), as far as that currency's newest event.
 */
export async function currentEvents(db: Database, scope: EventScope, accountId: string, upTo: bigint): Promise<BalanceEventRow[]> {
  const rows = await db.sql.query<RawRow>(
    `SELECT ${COLUMNS}
       FROM (SELECT DISTINCT la.currency FROM ledger_account la
              WHERE la.account_id = $1 AND la.tenant_id = $3 AND la.livemode = $4) c
       CROSS JOIN LATERAL (
         SELECT * FROM balance_event b
          WHERE b.account_id = $1 AND b.seq <= $2 AND b.currency = c.currency
            AND b.tenant_id = $3 AND b.livemode = $4
          ORDER BY b.seq DESC
          LIMIT 1
       ) e
      ORDER BY e.seq`,
    [accountId, upTo.toString(), scope.tenantId, scope.livemode],
  );
  return rows.map(toRow);
}

/** The position of one event of this account in this scope, if it is one. */
export async function findEventSeq(db: Database, scope: EventScope, accountId: string, eventId: string): Promise<bigint | undefined> {
  const [row] = await db.sql.query<{ seq: string }>(
    `SELECT seq::text AS seq FROM balance_event
      WHERE id = $1 AND account_id = $2 AND tenant_id = $3 AND livemode = $4`,
    [eventId, accountId, scope.tenantId, scope.livemode],
  );
  return row ? BigInt(row.seq) : undefined;
}

/** The id of the account's newest event in this scope, if it has any. */
export async function latestEventId(db: Database, scope: EventScope, accountId: string): Promise<string | null> {
  const [row] = await db.sql.query<{ id: string }>(
    `SELECT id FROM balance_event
      WHERE account_id = $1 AND tenant_id = $2 AND livemode = $3
      ORDER BY seq DESC
      LIMIT 1`,
    [accountId, scope.tenantId, scope.livemode],
  );
  return row?.id ?? null;
}
