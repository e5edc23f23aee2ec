// Reading accounts for use cases and resolvers, always inside the caller's tenant and mode (the
// store's rule): a missing or unreachable account is NOT_FOUND.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import type { AccountId } from "../../shared/ids.ts";
import type { PageRequest } from "../../shared/pagination.ts";
import {
  accountFactsAcross,
  findAccounts as findAccountRows,
  listConnectedAccountRows,
  countConnectedAccountRows,
  type ConnectedAccountsFilter,
  lockAccountRow,
  type AccountFacts,
  type AccountRecord,
  type Scope,
} from "../store/accounts.ts";

export { accountFactsAcross, accountVisible, type AccountFacts, type AccountLookup, type AccountRecord } from "../store/accounts.ts";

/** One query for a whole batch of ids (DataLoader); order and gaps follow `ids`. */
export function findAccounts(deps: Dependencies, principal: PlatformPrincipal, ids: readonly string[]): Promise<(AccountRecord | null)[]> {
  return findAccountRows(deps.db.sql, principal, ids);
}

export async function getAccount(deps: Dependencies, principal: PlatformPrincipal, id: string): Promise<AccountRecord> {
  const [row] = await findAccounts(deps, principal, [id]);
  if (!row) throw notFound("account", id);
  return row;
}

/**
 * Locks a reachable account's row for the rest of the transaction and returns it. Every change
 * to an account, its bank accounts or (for the platform) its keys takes this lock first, so
 * checks such as "is this the last default" or "the last working key" cannot race.
 */
export async function lockAccount(
  sql: SqlClient,
  principal: PlatformPrincipal,
  id: string,
  mode: "UPDATE" | "SHARE" = "UPDATE",
): Promise<AccountRecord> {
  const account = await lockAccountRow(sql, principal, id, mode);
  if (!account) throw notFound("account", id);
  return account;
}

export function listConnectedAccounts(
  deps: Dependencies,
  principal: PlatformPrincipal,
  platformId: string,
  page: PageRequest,
  filter: ConnectedAccountsFilter = {},
): Promise<AccountRecord[]> {
  return listConnectedAccountRows(deps.db.sql, principal, platformId, page, filter);
}

/** How many of a platform's connected accounts (of the caller's mode) match the filter, on every page. */
export function countConnectedAccounts(
  deps: Dependencies,
  principal: PlatformPrincipal,
  platformId: string,
  filter: ConnectedAccountsFilter = {},
): Promise<number> {
  return countConnectedAccountRows(deps.db.sql, principal, platformId, filter);
}

/**
 * In-process API for the balances, payouts and crypto subgraphs: the accounts of the tenant
 * visible in that mode (the platform itself is visible in both), read inside the caller's
 * transaction and locked against concurrent closing (FOR SHARE, in id order). Ids that do not
 * exist for that caller are simply absent.
 */
export async function accountFactsOf(
  sql: SqlClient,
  scope: Scope,
  accountIds: readonly AccountId[],
): Promise<Map<AccountId, AccountFacts>> {
  const found = await accountFactsAcross(
    sql,
    accountIds.map((accountId) => ({ scope, accountId })),
  );
  return new Map(found.flatMap((facts) => (facts ? [[facts.id, facts] as const] : [])));
}

/** accountFactsOf for one account; null when it does not exist for that caller. */
export async function accountFacts(sql: SqlClient, scope: Scope, accountId: AccountId): Promise<AccountFacts | null> {
  return (await accountFactsOf(sql, scope, [accountId])).get(accountId) ?? null;
}
