// The accounts store, `api_key` table: every statement on it, its row type and its one mapping
// to ApiKeyRecord. The secret is never stored, only its hash, and the hash never leaves this
// file but as the lookup of authentication. A caller reaches only its platform's keys of the
// modes it may see (domain/api-key.ts: a test key sees test keys, a live key both).

import type { SqlClient } from "../../shared/db/database.ts";
import type { AccountId } from "../../shared/ids.ts";
import type { AccountStatus } from "../domain/account.ts";
import { reachableModes } from "../domain/api-key.ts";
import type { Scope } from "./accounts.ts";

export interface ApiKeyRecord {
  readonly id: string;
  readonly accountId: AccountId;
  readonly livemode: boolean;
  readonly name: string | null;
  readonly redacted: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

// The row as selected is the record itself (columns named after its fields).
const COLUMNS = `k.id, k.account_id AS "accountId", k.livemode, k.name, k.redacted, k.created_at AS "createdAt",
  k.last_used_at AS "lastUsedAt", k.expires_at AS "expiresAt", k.revoked_at AS "revokedAt"`;

/** The caller's platform's keys of the modes it reaches: tenant in $1, reachableModes in $2. */
const REACHABLE = `k.account_id = $1 AND k.livemode = ANY($2::boolean[])`;

/** Still works at $3: not revoked, not expired. */
const USABLE = `k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $3)`;

/** Newest first; without `includeInactive`, only keys that still work at `now`. */
export async function listApiKeyRows(sql: SqlClient, scope: Scope, includeInactive: boolean, now: Date): Promise<ApiKeyRecord[]> {
  return sql.query<ApiKeyRecord>(
    `SELECT ${COLUMNS} FROM api_key k WHERE ${REACHABLE} AND ($4 OR (${USABLE})) ORDER BY k.created_at DESC, k.id DESC`,
    [scope.tenantId, reachableModes(scope.livemode), now, includeInactive],
  );
}

export async function apiKeyById(sql: SqlClient, scope: Scope, id: string): Promise<ApiKeyRecord | null> {
  const [row] = await sql.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM api_key k WHERE ${REACHABLE} AND k.id = $3`, [
    scope.tenantId,
    reachableModes(scope.livemode),
    id,
  ]);
  return row ?? null;
}

/** The platform's keys of a mode, other than `exceptId`, that still work at `now`. */
export async function countOtherUsableKeys(
  sql: SqlClient,
  platformId: string,
  livemode: boolean,
  exceptId: string,
  now: Date,
): Promise<number> {
  const [row] = await sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM api_key k WHERE k.account_id = $1 AND k.livemode = $2 AND ${USABLE} AND k.id <> $4`,
    [platformId, livemode, now, exceptId],
  );
  return row!.count;
}

export interface NewApiKey {
  readonly id: string;
  readonly accountId: AccountId;
  readonly livemode: boolean;
  readonly name: string | null;
  readonly secretHash: string;
  readonly redacted: string;
  /** Defaults to the database's clock. */
  readonly createdAt?: Date;
}

/** Inserts keys (one statement) and returns them in the order given. */
export async function insertApiKeys(sql: SqlClient, keys: readonly NewApiKey[]): Promise<ApiKeyRecord[]> {
  const rows = await sql.query<ApiKeyRecord>(
    `INSERT INTO api_key AS k (id, account_id, livemode, name, secret_hash, redacted, created_at)
     SELECT v.id, v.account_id, v.livemode, v.name, v.secret_hash, v.redacted, coalesce(v.created_at, now())
       FROM unnest($1::varchar[], $2::varchar[], $3::boolean[], $4::varchar[], $5::char(64)[], $6::varchar[], $7::timestamptz[])
         AS v(id, account_id, livemode, name, secret_hash, redacted, created_at)
     RETURNING ${COLUMNS}`,
    [
      keys.map((k) => k.id),
      keys.map((k) => k.accountId),
      keys.map((k) => k.livemode),
      keys.map((k) => k.name),
      keys.map((k) => k.secretHash),
      keys.map((k) => k.redacted),
      keys.map((k) => k.createdAt ?? null),
    ],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return keys.map((k) => byId.get(k.id)!);
}

export async function setKeyExpiry(sql: SqlClient, id: string, expiresAt: Date): Promise<ApiKeyRecord> {
  const [row] = await sql.query<ApiKeyRecord>(`UPDATE api_key k SET expires_at = $2 WHERE k.id = $1 RETURNING ${COLUMNS}`, [id, expiresAt]);
  return row!;
}

export async function setKeyRevoked(sql: SqlClient, id: string, revokedAt: Date): Promise<ApiKeyRecord> {
  const [row] = await sql.query<ApiKeyRecord>(`UPDATE api_key k SET revoked_at = $2 WHERE k.id = $1 RETURNING ${COLUMNS}`, [id, revokedAt]);
  return row!;
}

/** What authentication needs of the key a secret hashes to, and of its platform. */
export interface KeyForSecret extends ApiKeyRecord {
  readonly tenantId: AccountId;
  readonly accountStatus: AccountStatus;
}

export async function keyBySecretHash(sql: SqlClient, secretHash: string): Promise<KeyForSecret | null> {
  const [row] = await sql.query<KeyForSecret>(
    `SELECT ${COLUMNS}, a.tenant_id AS "tenantId", a.status::text AS "accountStatus"
       FROM api_key k JOIN account a ON a.id = k.account_id WHERE k.secret_hash = $1`,
    [secretHash],
  );
  return row ?? null;
}

export async function setKeyLastUsed(sql: SqlClient, id: string, at: Date): Promise<void> {
  await sql.query(`UPDATE api_key SET last_used_at = $2 WHERE id = $1`, [id, at]);
}
