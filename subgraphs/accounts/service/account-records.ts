// Reading accounts, always inside the caller's tenant and mode: another tenant's account, or a
// connected account of the other mode, is indistinguishable from one that does not exist.
// The platform's own row is shared by both modes.

import type { Account as AccountRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient, Tx } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import { afterPosition, type PageRequest } from "../../shared/pagination.ts";
import type { AccountStatus } from "../domain/account.ts";

export type { AccountRow };

/** The Prisma filter for "accounts this principal may reach". */
export function reachableAccounts(principal: PlatformPrincipal) {
  return {
    tenantId: principal.tenantId,
    OR: [{ type: "PLATFORM" as const }, { livemode: principal.livemode }],
  };
}

/** One query for a whole batch of ids (DataLoader); order and gaps follow `ids`. */
export async function findAccounts(
  deps: Dependencies,
  principal: PlatformPrincipal,
  ids: readonly string[],
): Promise<(AccountRow | null)[]> {
  const rows = await deps.db.prisma.account.findMany({
    where: { id: { in: [...ids] }, ...reachableAccounts(principal) },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function getAccount(deps: Dependencies, principal: PlatformPrincipal, id: string): Promise<AccountRow> {
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
  tx: Tx,
  principal: PlatformPrincipal,
  id: string,
  mode: "UPDATE" | "SHARE" = "UPDATE",
): Promise<AccountRow> {
  const locked =
    mode === "UPDATE"
      ? await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM account
           WHERE id = ${id} AND tenant_id = ${principal.tenantId} AND (type = 'PLATFORM' OR livemode = ${principal.livemode})
             FOR UPDATE`
      : await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM account
           WHERE id = ${id} AND tenant_id = ${principal.tenantId} AND (type = 'PLATFORM' OR livemode = ${principal.livemode})
             FOR SHARE`;
  if (locked.length === 0) throw notFound("account", id);
  return tx.account.findUniqueOrThrow({ where: { id } });
}

export async function listConnectedAccounts(
  deps: Dependencies,
  principal: PlatformPrincipal,
  platformId: string,
  page: PageRequest,
  status?: AccountStatus,
): Promise<AccountRow[]> {
  return deps.db.prisma.account.findMany({
    where: {
      tenantId: principal.tenantId,
      platformId,
      livemode: principal.livemode,
      ...(status ? { status } : {}),
      ...afterPosition(page.after),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.take,
  });
}

/** The part of an account other subgraphs' use cases check before moving money. */
export interface AccountFacts {
  readonly id: string;
  readonly type: AccountRow["type"];
  readonly status: AccountRow["status"];
  readonly defaultCurrency: string;
  readonly payoutsEnabled: boolean;
  readonly livemode: boolean;
}

type Scope = { tenantId: string; livemode: boolean };

/**
 * In-process API for the balances, payouts and crypto subgraphs: the accounts of the tenant
 * visible in that mode (the platform itself is visible in both), read inside the caller's
 * transaction and locked against concurrent closing (FOR SHARE, in id order). Ids that do not
 * exist for that caller are simply absent.
 */
export async function accountFactsOf(sql: SqlClient, scope: Scope, accountIds: readonly string[]): Promise<Map<string, AccountFacts>> {
  const found = await accountFactsAcross(sql, accountIds.map((accountId) => ({ scope, accountId })));
  return new Map(found.flatMap((facts) => (facts ? [[facts.id, facts] as const] : [])));
}

/** A lookup of one account by one caller's scope. */
export interface AccountLookup {
  readonly scope: Scope;
  readonly accountId: string;
}

/**
 * accountFactsOf for lookups of several tenants and modes in one query (a group commit of
 * many platforms' transfers): each answer is null when that account does not exist for that
 * lookup's caller. Rows are locked FOR SHARE in id order, like accountFactsOf.
 */
export async function accountFactsAcross(sql: SqlClient, lookups: readonly AccountLookup[]): Promise<(AccountFacts | null)[]> {
  const keyOf = (tenantId: string, livemode: boolean, id: string) => `${tenantId}\u0000${livemode}\u0000${id}`;
  const distinct = [...new Map(lookups.map((l) => [keyOf(l.scope.tenantId, l.scope.livemode, l.accountId), l])).values()];
  if (distinct.length === 0) return [];
  const rows = await sql.query<{
    id: string; type: AccountRow["type"]; status: AccountRow["status"]; default_currency: string; payouts_enabled: boolean;
    livemode: boolean; asked_tenant: string; asked_livemode: boolean;
  }>(
    `SELECT a.id, a.type::text AS type, a.status::text AS status, a.default_currency, a.payouts_enabled, a.livemode,
            q.tenant_id AS asked_tenant, q.livemode AS asked_livemode
       FROM unnest($1::varchar[], $2::varchar[], $3::boolean[]) AS q(id, tenant_id, livemode)
       JOIN account a ON a.id = q.id AND a.tenant_id = q.tenant_id AND (a.type = 'PLATFORM' OR a.livemode = q.livemode)
      ORDER BY a.id
        FOR SHARE OF a`,
    [distinct.map((l) => l.accountId), distinct.map((l) => l.scope.tenantId), distinct.map((l) => l.scope.livemode)],
  );
  const found = new Map(
    rows.map((row) => [
      keyOf(row.asked_tenant, row.asked_livemode, row.id),
      { id: row.id, type: row.type, status: row.status, defaultCurrency: row.default_currency, payoutsEnabled: row.payouts_enabled, livemode: row.livemode },
    ]),
  );
  return lookups.map((l) => found.get(keyOf(l.scope.tenantId, l.scope.livemode, l.accountId)) ?? null);
}

/** accountFactsOf for one account; null when it does not exist for that caller. */
export async function accountFacts(sql: SqlClient, scope: Scope, accountId: string): Promise<AccountFacts | null> {
  return (await accountFactsOf(sql, scope, [accountId])).get(accountId) ?? null;
}
