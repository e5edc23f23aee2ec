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
  const rows = await sql.query<{ id: string; type: AccountRow["type"]; status: AccountRow["status"]; default_currency: string; payouts_enabled: boolean; livemode: boolean }>(
    `SELECT id, type::text AS type, status::text AS status, default_currency, payouts_enabled, livemode
       FROM account
      WHERE id = ANY($1::varchar[]) AND tenant_id = $2 AND (type = 'PLATFORM' OR livemode = $3)
      ORDER BY id
        FOR SHARE`,
    [[...accountIds], scope.tenantId, scope.livemode],
  );
  return new Map(
    rows.map((row) => [
      row.id,
      { id: row.id, type: row.type, status: row.status, defaultCurrency: row.default_currency, payoutsEnabled: row.payouts_enabled, livemode: row.livemode },
    ]),
  );
}

/** accountFactsOf for one account; null when it does not exist for that caller. */
export async function accountFacts(sql: SqlClient, scope: Scope, accountId: string): Promise<AccountFacts | null> {
  return (await accountFactsOf(sql, scope, [accountId])).get(accountId) ?? null;
}
