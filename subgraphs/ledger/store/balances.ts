// The ledger store's balance reads: ledger_account and ledger_balance. A balance is the sum of
// its slots (one row for a customer balance, CLEARING_SLOTS for a clearing account). Raw SQL on
// the caller's connection, so a read can run under the caller's locks in its transaction.

import type { SqlClient } from "../../shared/db/database.ts";
import type { AccountId } from "../../shared/ids.ts";
import { CUSTOMER_KINDS, type CustomerKind } from "../domain/ledger.ts";

export interface BalanceScope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

export interface CustomerBalanceRow {
  readonly accountId: AccountId;
  readonly currency: string;
  readonly kind: CustomerKind;
  readonly balance: bigint;
}

/** The customer balances (CUSTOMER_KINDS) of many accounts of one scope, per currency and kind. */
export async function customerBalanceRows(
  sql: SqlClient,
  scope: BalanceScope,
  accountIds: readonly AccountId[],
): Promise<CustomerBalanceRow[]> {
  const rows = await sql.query<{ accountId: AccountId; currency: string; kind: CustomerKind; balance: string }>(
    `SELECT la.account_id AS "accountId", la.currency, la.kind::text AS kind, SUM(lb.balance)::text AS balance
       FROM ledger_account la
       JOIN ledger_balance lb ON lb.ledger_account_id = la.id
      WHERE la.tenant_id = $1
        AND la.livemode = $2
        AND la.account_id = ANY($3::varchar[])
        AND la.kind = ANY($4::text[]::"LedgerAccountKind"[])
      GROUP BY la.account_id, la.currency, la.kind
      ORDER BY la.account_id, la.currency`,
    [scope.tenantId, scope.livemode, [...accountIds], [...CUSTOMER_KINDS]],
  );
  return rows.map((row) => ({ ...row, balance: BigInt(row.balance) }));
}

/**
 * A moment of the ledger: a Date (milliseconds, what the API speaks), or microseconds since the
 * epoch (the precision entries are stamped with; tests name the instant between two entries).
 */
export type LedgerMoment = Date | bigint;

/** 0001-01-01T00:00:00Z in microseconds since the epoch: before any entry. */
const EARLIEST_MICROS = -62_135_596_800_000_000n;

/**
 * The customer balances of many accounts of one scope as they were at `at` (inclusive), per
 * currency and kind: each one's balance_after of its latest entry stamped at or before `at`, one
 * index lookup per ledger account (ledger_entry(ledger_account_id, slot, created_at, id), a
 * backward scan stopped by the LIMIT), whatever the length of the history. A ledger account with
 * no entry by then has no row. Customer balances are one slot (0), and their entries carry
 * balance_after.
 */
export async function customerBalanceRowsAt(
  sql: SqlClient,
  scope: BalanceScope,
  accountIds: readonly AccountId[],
  at: LedgerMoment,
): Promise<CustomerBalanceRow[]> {
  // A moment before year 1 is as empty as year 1, and Postgres's timestamps end near 4713 BC.
  const asked = typeof at === "bigint" ? at : BigInt(at.getTime()) * 1000n;
  const micros = asked < EARLIEST_MICROS ? EARLIEST_MICROS : asked;
  const rows = await sql.query<{ accountId: AccountId; currency: string; kind: CustomerKind; balance: string }>(
    `SELECT la.account_id AS "accountId", la.currency, la.kind::text AS kind, e.balance_after::text AS balance
       FROM ledger_account la
       CROSS JOIN LATERAL (SELECT le.balance_after FROM ledger_entry le
                            WHERE le.ledger_account_id = la.id AND le.slot = 0
                              AND le.created_at <= 'epoch'::timestamptz + $5::bigint * interval '1 microsecond'
                            ORDER BY le.created_at DESC, le.id DESC
                            LIMIT 1) e
      WHERE la.tenant_id = $1
        AND la.livemode = $2
        AND la.account_id = ANY($3::varchar[])
        AND la.kind = ANY($4::text[]::"LedgerAccountKind"[])
      ORDER BY la.account_id, la.currency`,
    [scope.tenantId, scope.livemode, [...accountIds], [...CUSTOMER_KINDS], micros.toString()],
  );
  return rows.map((row) => ({ ...row, balance: BigInt(row.balance) }));
}

/** One AVAILABLE balance to lock: an account's, in one currency and mode. */
export interface AvailableBalanceKey {
  readonly accountId: AccountId;
  readonly currency: string;
  readonly livemode: boolean;
}

/**
 * Locks the AVAILABLE balances (FOR UPDATE, in ledger account id order: the ledger's lock order)
 * and reads them, for a caller that spends them in its transaction. A balance never credited
 * has no row and is absent.
 */
export async function lockAvailableBalances(
  sql: SqlClient,
  keys: readonly AvailableBalanceKey[],
): Promise<(AvailableBalanceKey & { balance: bigint })[]> {
  if (keys.length === 0) return [];
  const rows = await sql.query<AvailableBalanceKey & { balance: string }>(
    `SELECT la.account_id AS "accountId", la.livemode, la.currency, lb.balance::text AS balance
       FROM ledger_account la JOIN ledger_balance lb ON lb.ledger_account_id = la.id
      WHERE la.id = ANY(SELECT ledger_account_id(q.account_id, q.currency, 'AVAILABLE', q.livemode)
                          FROM unnest($1::text[], $2::text[], $3::boolean[]) AS q(account_id, currency, livemode))
      ORDER BY la.id
        FOR UPDATE OF lb`,
    [keys.map((k) => k.accountId), keys.map((k) => k.currency), keys.map((k) => k.livemode)],
  );
  return rows.map((row) => ({ ...row, balance: BigInt(row.balance) }));
}
