// Reading external bank accounts for use cases and resolvers, inside the caller's tenant and
// mode. Reads never decrypt: only the payouts path (payout-destination.ts) needs the number.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import type { AccountRecord } from "../store/accounts.ts";
import {
  activeExternalAccountsOf,
  externalAccountById,
  externalAccountOwner,
  findExternalAccountRows,
  type ExternalAccountRecord,
} from "../store/external-accounts.ts";
import { lockAccount } from "./account-records.ts";

export type { ExternalAccountRecord } from "../store/external-accounts.ts";

/** By id, removed ones included (payouts still point at them); one query per batch. */
export function findExternalAccounts(
  deps: Dependencies,
  principal: PlatformPrincipal,
  ids: readonly string[],
): Promise<(ExternalAccountRecord | null)[]> {
  return findExternalAccountRows(deps.db.sql, principal, ids);
}

/** The active bank accounts of each account, newest first; one query for all of them. */
export async function listExternalAccountsOf(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountIds: readonly string[],
): Promise<ExternalAccountRecord[][]> {
  const rows = await activeExternalAccountsOf(deps.db.sql, principal, accountIds);
  const byAccount = new Map<string, ExternalAccountRecord[]>();
  for (const row of rows) {
    const list = byAccount.get(row.accountId) ?? [];
    list.push(row);
    byAccount.set(row.accountId, list);
  }
  return accountIds.map((id) => byAccount.get(id) ?? []);
}

export async function getExternalAccount(deps: Dependencies, principal: PlatformPrincipal, id: string): Promise<ExternalAccountRecord> {
  const [row] = await findExternalAccounts(deps, principal, [id]);
  if (!row) throw notFound("external account", id);
  return row;
}

/** Inside a transaction: the bank account and its owner, both reachable, the owner locked. */
export async function lockExternalAccount(
  sql: SqlClient,
  principal: PlatformPrincipal,
  id: string,
): Promise<{ target: ExternalAccountRecord; owner: AccountRecord }> {
  const ownerId = await externalAccountOwner(sql, principal, id);
  if (!ownerId) throw notFound("external account", id);
  const owner = await lockAccount(sql, principal, ownerId);
  // Read again under the lock: a concurrent change to its account's bank accounts has committed.
  const target = await externalAccountById(sql, id);
  return { target, owner };
}
