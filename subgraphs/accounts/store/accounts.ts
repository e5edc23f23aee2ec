// The accounts store, `account` table: every statement on it, its row type and its one mapping
// to AccountRecord. Every read is inside the caller's tenant and mode: another tenant's account,
// or a connected account of the other mode, is indistinguishable from one that does not exist;
// the platform's own row is shared by both modes. Statements run on the SqlClient they are
// given: `db.sql` (autocommit) or the caller's transaction (inTransaction, idempotency.run).

import type { SqlClient } from "../../shared/db/database.ts";
import type { AccountId } from "../../shared/ids.ts";
import { pageSql, type PageRequest } from "../../shared/pagination.ts";
import type { AccountStatus, AccountType } from "../domain/account.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";

export interface Scope {
  readonly tenantId: AccountId;
  readonly livemode: boolean;
}

export interface AccountRecord {
  readonly id: AccountId;
  readonly tenantId: AccountId;
  readonly livemode: boolean;
  readonly type: AccountType;
  readonly displayName: string;
  readonly country: string;
  readonly defaultCurrency: string;
  readonly email: string | null;
  readonly status: AccountStatus;
  readonly payoutsEnabled: boolean;
  readonly metadata: unknown;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly closedAt: Date | null;
  readonly legalName: string | null;
  readonly dateOfBirth: Date | null;
  readonly idNumberLast4: string | null;
  readonly addressLine1: string | null;
  readonly addressCity: string | null;
  readonly addressPostalCode: string | null;
  readonly addressCountry: string | null;
  readonly verificationSubmittedAt: Date | null;
  readonly platformId: AccountId | null;
}

/** The row as selected by COLUMNS: the record's names, the date of birth as 'YYYY-MM-DD'. */
type AccountRow = Omit<AccountRecord, "dateOfBirth"> & { dateOfBirth: string | null };

const COLUMNS = `a.id, a.tenant_id AS "tenantId", a.livemode, a.type::text AS type, a.display_name AS "displayName", a.country,
  a.default_currency AS "defaultCurrency", a.email, a.status::text AS status, a.payouts_enabled AS "payoutsEnabled", a.metadata,
  a.created_at AS "createdAt", a.updated_at AS "updatedAt", a.closed_at AS "closedAt", a.legal_name AS "legalName",
  to_char(a.date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth", a.id_number_last4 AS "idNumberLast4", a.address_line1 AS "addressLine1",
  a.address_city AS "addressCity", a.address_postal_code AS "addressPostalCode", a.address_country AS "addressCountry",
  a.verification_submitted_at AS "verificationSubmittedAt", a.platform_id AS "platformId"`;

/** "Accounts this caller may reach", on `a` with the scope in $1 (tenant) and $2 (mode). */
const REACHABLE = `a.tenant_id = $1 AND (a.type = 'PLATFORM' OR a.livemode = $2)`;

function toAccount(row: AccountRow): AccountRecord {
  return { ...row, dateOfBirth: row.dateOfBirth === null ? null : new Date(`${row.dateOfBirth}T00:00:00Z`) };
}

/** One query for a whole batch of ids (DataLoader); order and gaps follow `ids`. */
export async function findAccounts(sql: SqlClient, scope: Scope, ids: readonly string[]): Promise<(AccountRecord | null)[]> {
  const rows = await sql.query<AccountRow>(`SELECT ${COLUMNS} FROM account a WHERE ${REACHABLE} AND a.id = ANY($3::varchar[])`, [
    scope.tenantId,
    scope.livemode,
    [...ids],
  ]);
  return inOrderOf(ids, rows, toAccount);
}

/** A reachable account, locked for the rest of the caller's transaction; null when unreachable. */
export async function lockAccountRow(sql: SqlClient, scope: Scope, id: string, mode: "UPDATE" | "SHARE"): Promise<AccountRecord | null> {
  const [row] = await sql.query<AccountRow>(
    `SELECT ${COLUMNS} FROM account a WHERE ${REACHABLE} AND a.id = $3 FOR ${mode === "UPDATE" ? "UPDATE" : "SHARE"}`,
    [scope.tenantId, scope.livemode, id],
  );
  return row ? toAccount(row) : null;
}

/** Any account by id, whatever the caller (the platform a createPlatform replay names). */
export async function accountById(sql: SqlClient, id: string): Promise<AccountRecord | null> {
  const [row] = await sql.query<AccountRow>(`SELECT ${COLUMNS} FROM account a WHERE a.id = $1`, [id]);
  return row ? toAccount(row) : null;
}

/**
 * A page of a platform's connected accounts of the caller's mode (newest first; pageSql),
 * optionally of one status, and matching `search`: its exact id, or the text anywhere in the
 * display name or email, case-insensitively (LIKE's wildcards in it are taken literally). The
 * search scans the platform's accounts in index order, filtering as it goes.
 */
export async function listConnectedAccountRows(
  sql: SqlClient,
  scope: Scope,
  platformId: string,
  page: PageRequest,
  filter: ConnectedAccountsFilter,
): Promise<AccountRecord[]> {
  const window = pageSql(page, 7, "a");
  const rows = await sql.query<AccountRow>(
    `SELECT ${COLUMNS} FROM account a
      WHERE ${CONNECTED_ACCOUNTS_WHERE} AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [...connectedAccountsParams(scope, platformId, filter), ...window.params],
  );
  return rows.map(toAccount);
}

/** How many connected accounts the filtered list holds (every page): one count over the platform's index range. */
export async function countConnectedAccountRows(
  sql: SqlClient,
  scope: Scope,
  platformId: string,
  filter: ConnectedAccountsFilter,
): Promise<number> {
  const [row] = await sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM account a WHERE ${CONNECTED_ACCOUNTS_WHERE}`,
    connectedAccountsParams(scope, platformId, filter),
  );
  return row?.count ?? 0;
}

export interface ConnectedAccountsFilter {
  readonly status?: AccountStatus | undefined;
  readonly search?: string | undefined;
}

/** A platform's connected accounts of the caller's mode, by status and search, on parameters $1 to $6. */
const CONNECTED_ACCOUNTS_WHERE = `a.tenant_id = $1 AND a.livemode = $2 AND a.platform_id = $3
  AND ($4::text IS NULL OR a.status::text = $4)
  AND ($5::text IS NULL OR a.id = $6::text OR a.display_name ILIKE $5::text OR a.email ILIKE $5::text)`;

function connectedAccountsParams(scope: Scope, platformId: string, filter: ConnectedAccountsFilter): unknown[] {
  const pattern = filter.search === undefined ? null : `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return [scope.tenantId, scope.livemode, platformId, filter.status ?? null, pattern, filter.search ?? null];
}

export interface NewAccount {
  readonly id: AccountId;
  readonly tenantId: AccountId;
  readonly platformId: AccountId | null;
  readonly livemode: boolean;
  readonly type: AccountType;
  readonly displayName: string;
  readonly country: string;
  readonly defaultCurrency: string;
  readonly email: string | null;
  readonly metadata: Record<string, string>;
  readonly status: AccountStatus;
  readonly payoutsEnabled: boolean;
}

export async function insertAccount(sql: SqlClient, account: NewAccount): Promise<AccountRecord> {
  const [row] = await sql.query<AccountRow>(
    `INSERT INTO account AS a (id, tenant_id, platform_id, livemode, type, display_name, country, default_currency, email, metadata, status, payouts_enabled)
     VALUES ($1, $2, $3, $4, $5::"AccountType", $6, $7, $8, $9, $10::jsonb, $11::"AccountStatus", $12)
     RETURNING ${COLUMNS}`,
    [
      account.id,
      account.tenantId,
      account.platformId,
      account.livemode,
      account.type,
      account.displayName,
      account.country,
      account.defaultCurrency,
      account.email,
      JSON.stringify(account.metadata),
      account.status,
      account.payoutsEnabled,
    ],
  );
  return toAccount(row!);
}

/** The columns an update may change; an absent one keeps its value. */
export interface AccountChanges {
  readonly displayName?: string;
  readonly email?: string | null;
  readonly metadata?: Record<string, string>;
  readonly status?: AccountStatus;
  readonly payoutsEnabled?: boolean;
  readonly closedAt?: Date;
  readonly legalName?: string;
  readonly dateOfBirth?: Date;
  readonly idNumberLast4?: string;
  readonly addressLine1?: string;
  readonly addressCity?: string;
  readonly addressPostalCode?: string;
  readonly addressCountry?: string;
  readonly verificationSubmittedAt?: Date;
}

const CHANGE_COLUMNS: Record<keyof AccountChanges, string> = {
  displayName: "display_name",
  email: "email",
  metadata: "metadata",
  status: "status",
  payoutsEnabled: "payouts_enabled",
  closedAt: "closed_at",
  legalName: "legal_name",
  dateOfBirth: "date_of_birth",
  idNumberLast4: "id_number_last4",
  addressLine1: "address_line1",
  addressCity: "address_city",
  addressPostalCode: "address_postal_code",
  addressCountry: "address_country",
  verificationSubmittedAt: "verification_submitted_at",
};

const CASTS: Partial<Record<keyof AccountChanges, string>> = { metadata: "::jsonb", status: '::"AccountStatus"', dateOfBirth: "::date" };

function changeValue(name: keyof AccountChanges, value: unknown): unknown {
  if (name === "metadata") return JSON.stringify(value);
  if (name === "dateOfBirth") return (value as Date).toISOString().slice(0, 10);
  return value;
}

export async function updateAccount(sql: SqlClient, id: string, changes: AccountChanges): Promise<AccountRecord> {
  const names = (Object.keys(changes) as (keyof AccountChanges)[]).filter((name) => changes[name] !== undefined);
  const sets = names.map((name, i) => `${CHANGE_COLUMNS[name]} = $${i + 2}${CASTS[name] ?? ""}`);
  const [row] = await sql.query<AccountRow>(
    `UPDATE account AS a SET ${[...sets, "updated_at = now()"].join(", ")} WHERE a.id = $1 RETURNING ${COLUMNS}`,
    [id, ...names.map((name) => changeValue(name, changes[name]))],
  );
  return toAccount(row!);
}

/** The part of an account other modules' use cases check before moving money. */
export interface AccountFacts {
  readonly id: AccountId;
  readonly type: AccountType;
  readonly status: AccountStatus;
  readonly defaultCurrency: string;
  readonly payoutsEnabled: boolean;
  readonly livemode: boolean;
}

/** A lookup of one account by one caller's scope. */
export interface AccountLookup {
  readonly scope: Scope;
  readonly accountId: AccountId;
}

/**
 * The facts of accounts looked up by several tenants and modes in one query, locked FOR SHARE
 * in id order (against a concurrent close); each answer is null when that account does not
 * exist for that lookup's caller.
 */
export async function accountFactsAcross(sql: SqlClient, lookups: readonly AccountLookup[]): Promise<(AccountFacts | null)[]> {
  const keyOf = (tenantId: string, livemode: boolean, id: string) => `${tenantId}\u0000${livemode}\u0000${id}`;
  const distinct = [...new Map(lookups.map((l) => [keyOf(l.scope.tenantId, l.scope.livemode, l.accountId), l])).values()];
  if (distinct.length === 0) return [];
  const rows = await sql.query<AccountFacts & { askedTenant: string; askedLivemode: boolean }>(
    `SELECT a.id, a.type::text AS type, a.status::text AS status, a.default_currency AS "defaultCurrency",
            a.payouts_enabled AS "payoutsEnabled", a.livemode, q.tenant_id AS "askedTenant", q.livemode AS "askedLivemode"
       FROM unnest($1::varchar[], $2::varchar[], $3::boolean[]) AS q(id, tenant_id, livemode)
       JOIN account a ON a.id = q.id AND a.tenant_id = q.tenant_id AND (a.type = 'PLATFORM' OR a.livemode = q.livemode)
      ORDER BY a.id
        FOR SHARE OF a`,
    [distinct.map((l) => l.accountId), distinct.map((l) => l.scope.tenantId), distinct.map((l) => l.scope.livemode)],
  );
  const found = new Map(
    rows.map(({ askedTenant, askedLivemode, ...facts }) => [keyOf(askedTenant, askedLivemode, facts.id), facts as AccountFacts]),
  );
  return lookups.map((l) => found.get(keyOf(l.scope.tenantId, l.scope.livemode, l.accountId)) ?? null);
}

/** Whether the account exists for this caller: a plain indexed read, no lock. */
export async function accountVisible(sql: SqlClient, scope: Scope, id: AccountId): Promise<boolean> {
  const rows = await sql.query(`SELECT 1 AS visible FROM account a WHERE ${REACHABLE} AND a.id = $3`, [scope.tenantId, scope.livemode, id]);
  return rows.length === 1;
}
