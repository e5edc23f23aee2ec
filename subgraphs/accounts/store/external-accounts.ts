// The accounts store, `external_account` table: every statement on it, its row types and their
// mappings. Bank accounts are read inside the caller's tenant and mode. Reads for the API never
// select the ciphertext (ExternalAccountRecord); only the payouts path (SealedDestination) and
// re-encryption read it.

import type { SqlClient } from "../../shared/db/database.ts";
import type { AccountId, Id } from "../../shared/ids.ts";
import type { Scope } from "./accounts.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";

/** What the API may show: everything but the sealed number. */
export interface ExternalAccountRecord {
  readonly id: Id<"bankAccount">;
  readonly tenantId: AccountId;
  readonly livemode: boolean;
  readonly accountId: AccountId;
  readonly country: string;
  readonly currency: string;
  readonly accountHolderName: string;
  readonly bankName: string | null;
  readonly routingNumber: string | null;
  readonly last4: string;
  readonly fingerprint: string;
  readonly defaultForCurrency: boolean;
  readonly removedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

// The row as selected is the record itself (columns named after its fields).
const COLUMNS = `e.id, e.tenant_id AS "tenantId", e.livemode, e.account_id AS "accountId", e.country, e.currency,
  e.account_holder_name AS "accountHolderName", e.bank_name AS "bankName", e.routing_number AS "routingNumber", e.last4,
  e.fingerprint, e.default_for_currency AS "defaultForCurrency", e.removed_at AS "removedAt", e.created_at AS "createdAt",
  e.updated_at AS "updatedAt"`;

/** By id, removed ones included (payouts still point at them); one query per batch. */
export async function findExternalAccountRows(
  sql: SqlClient,
  scope: Scope,
  ids: readonly string[],
): Promise<(ExternalAccountRecord | null)[]> {
  const rows = await sql.query<ExternalAccountRecord>(
    `SELECT ${COLUMNS} FROM external_account e WHERE e.tenant_id = $1 AND e.livemode = $2 AND e.id = ANY($3::varchar[])`,
    [scope.tenantId, scope.livemode, [...ids]],
  );
  return inOrderOf(ids, rows, (row) => row);
}

/** The active bank accounts of each account, newest first; one query for all of them. */
export async function activeExternalAccountsOf(
  sql: SqlClient,
  scope: Scope,
  accountIds: readonly string[],
): Promise<ExternalAccountRecord[]> {
  return sql.query<ExternalAccountRecord>(
    `SELECT ${COLUMNS} FROM external_account e
      WHERE e.tenant_id = $1 AND e.livemode = $2 AND e.account_id = ANY($3::varchar[]) AND e.removed_at IS NULL
      ORDER BY e.created_at DESC, e.id DESC`,
    [scope.tenantId, scope.livemode, [...accountIds]],
  );
}

/** The owning account's id of a reachable bank account (to lock the owner first). */
export async function externalAccountOwner(sql: SqlClient, scope: Scope, id: string): Promise<string | null> {
  const [row] = await sql.query<{ accountId: string }>(
    `SELECT account_id AS "accountId" FROM external_account WHERE id = $1 AND tenant_id = $2 AND livemode = $3`,
    [id, scope.tenantId, scope.livemode],
  );
  return row?.accountId ?? null;
}

export async function externalAccountById(sql: SqlClient, id: string): Promise<ExternalAccountRecord> {
  const [row] = await sql.query<ExternalAccountRecord>(`SELECT ${COLUMNS} FROM external_account e WHERE e.id = $1`, [id]);
  return row!;
}

/** An account's active bank accounts of every currency, for the add rules (limit, duplicates). */
export async function activeBankAccountsOf(sql: SqlClient, accountId: string): Promise<ExternalAccountRecord[]> {
  return sql.query<ExternalAccountRecord>(`SELECT ${COLUMNS} FROM external_account e WHERE e.account_id = $1 AND e.removed_at IS NULL`, [
    accountId,
  ]);
}

/** The active bank accounts of an account's currency other than `exceptId`. */
export async function countOtherActive(sql: SqlClient, accountId: string, currency: string, exceptId: string): Promise<number> {
  const [row] = await sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM external_account WHERE account_id = $1 AND currency = $2 AND removed_at IS NULL AND id <> $3`,
    [accountId, currency, exceptId],
  );
  return row!.count;
}

/** No bank account of the account's currency is its default any more. */
export async function clearDefault(sql: SqlClient, accountId: string, currency: string): Promise<void> {
  await sql.query(
    `UPDATE external_account SET default_for_currency = false, updated_at = now()
      WHERE account_id = $1 AND currency = $2 AND default_for_currency`,
    [accountId, currency],
  );
}

export async function markDefault(sql: SqlClient, id: string): Promise<ExternalAccountRecord> {
  const [row] = await sql.query<ExternalAccountRecord>(
    `UPDATE external_account e SET default_for_currency = true, updated_at = now() WHERE e.id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return row!;
}

export async function markRemoved(sql: SqlClient, id: string, at: Date): Promise<ExternalAccountRecord> {
  const [row] = await sql.query<ExternalAccountRecord>(
    `UPDATE external_account e SET removed_at = $2, default_for_currency = false, updated_at = now() WHERE e.id = $1 RETURNING ${COLUMNS}`,
    [id, at],
  );
  return row!;
}

export interface NewExternalAccount {
  readonly id: string;
  readonly tenantId: string;
  readonly livemode: boolean;
  readonly accountId: string;
  readonly country: string;
  readonly currency: string;
  readonly accountHolderName: string;
  readonly bankName: string | null;
  readonly routingNumber: string | null;
  readonly last4: string;
  readonly fingerprint: string;
  readonly numberCiphertext: string;
  readonly encryptionKeyId: string;
  readonly defaultForCurrency: boolean;
}

export async function insertExternalAccount(sql: SqlClient, bank: NewExternalAccount): Promise<ExternalAccountRecord> {
  const [row] = await sql.query<ExternalAccountRecord>(
    `INSERT INTO external_account AS e (id, tenant_id, livemode, account_id, country, currency, account_holder_name, bank_name,
                                       routing_number, last4, fingerprint, number_ciphertext, encryption_key_id, default_for_currency)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     RETURNING ${COLUMNS}`,
    [
      bank.id,
      bank.tenantId,
      bank.livemode,
      bank.accountId,
      bank.country,
      bank.currency,
      bank.accountHolderName,
      bank.bankName,
      bank.routingNumber,
      bank.last4,
      bank.fingerprint,
      bank.numberCiphertext,
      bank.encryptionKeyId,
      bank.defaultForCurrency,
    ],
  );
  return row!;
}

/** A bank account with its sealed number, as the payouts path and re-encryption need it. */
export interface SealedBankAccount {
  readonly id: Id<"bankAccount">;
  readonly accountId: AccountId;
  readonly country: string;
  readonly currency: string;
  readonly accountHolderName: string;
  readonly last4: string;
  readonly routingNumber: string | null;
  readonly numberCiphertext: string;
  readonly encryptionKeyId: string;
}

const SEALED_COLUMNS = `id, account_id AS "accountId", country, currency, account_holder_name AS "accountHolderName", last4,
  routing_number AS "routingNumber", number_ciphertext AS "numberCiphertext", encryption_key_id AS "encryptionKeyId"`;

/** An active bank account of the account: the one named, or the default for `currency`. */
export async function payableBankAccount(
  sql: SqlClient,
  scope: Scope,
  accountId: AccountId,
  by: { readonly id: Id<"bankAccount"> } | { readonly defaultFor: string },
): Promise<SealedBankAccount | null> {
  const [row] = await sql.query<SealedBankAccount>(
    `SELECT ${SEALED_COLUMNS} FROM external_account
      WHERE account_id = $1 AND tenant_id = $2 AND livemode = $3 AND removed_at IS NULL
        AND ${"id" in by ? "id = $4" : "currency = $4 AND default_for_currency"}`,
    [accountId, scope.tenantId, scope.livemode, "id" in by ? by.id : by.defaultFor],
  );
  return row ?? null;
}

/** The next bank accounts (by id, after `after`) sealed with a key other than `currentKeyId`. */
export async function sealedWithOtherKeys(
  sql: SqlClient,
  currentKeyId: string,
  tenantId: string | undefined,
  after: string,
  limit: number,
): Promise<SealedBankAccount[]> {
  return sql.query<SealedBankAccount>(
    `SELECT ${SEALED_COLUMNS} FROM external_account
      WHERE encryption_key_id <> $1 AND ($2::varchar IS NULL OR tenant_id = $2) AND id > $3
      ORDER BY id LIMIT $4`,
    [currentKeyId, tenantId ?? null, after, limit],
  );
}

/** Reseals one number, only if it is still sealed as it was read; returns whether it was. */
export async function reseal(
  sql: SqlClient,
  read: SealedBankAccount,
  sealed: { readonly keyId: string; readonly ciphertext: string },
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE external_account SET encryption_key_id = $4, number_ciphertext = $5, updated_at = now()
      WHERE id = $1 AND encryption_key_id = $2 AND number_ciphertext = $3 RETURNING 1 AS resealed`,
    [read.id, read.encryptionKeyId, read.numberCiphertext, sealed.keyId, sealed.ciphertext],
  );
  return rows.length === 1;
}

export async function countSealedWithOtherKeys(sql: SqlClient, currentKeyId: string, tenantId: string | undefined): Promise<number> {
  const [row] = await sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM external_account WHERE encryption_key_id <> $1 AND ($2::varchar IS NULL OR tenant_id = $2)`,
    [currentKeyId, tenantId ?? null],
  );
  return row!.count;
}
