// Reading external bank accounts inside the caller's tenant and mode. Reads never decrypt:
// only the payouts path (payout-destination.ts) needs the number itself.

import type { ExternalAccount as ExternalAccountRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { Tx } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import { lockAccount, type AccountRow } from "./account-records.ts";

export type { ExternalAccountRow };

/** Everything but the ciphertext: what the API may show. */
export const PUBLIC_COLUMNS = {
  id: true,
  tenantId: true,
  livemode: true,
  accountId: true,
  country: true,
  currency: true,
  accountHolderName: true,
  bankName: true,
  routingNumber: true,
  last4: true,
  fingerprint: true,
  defaultForCurrency: true,
  removedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type PublicExternalAccount = Omit<ExternalAccountRow, "numberCiphertext" | "encryptionKeyId">;

export function reachableExternalAccounts(principal: PlatformPrincipal) {
  return { tenantId: principal.tenantId, livemode: principal.livemode };
}

/** By id, removed ones included (payouts still point at them); one query per batch. */
export async function findExternalAccounts(
  deps: Dependencies,
  principal: PlatformPrincipal,
  ids: readonly string[],
): Promise<(PublicExternalAccount | null)[]> {
  const rows = await deps.db.prisma.externalAccount.findMany({
    where: { id: { in: [...ids] }, ...reachableExternalAccounts(principal) },
    select: PUBLIC_COLUMNS,
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The active bank accounts of each account, newest first; one query for all of them. */
export async function listExternalAccountsOf(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountIds: readonly string[],
): Promise<PublicExternalAccount[][]> {
  const rows = await deps.db.prisma.externalAccount.findMany({
    where: { accountId: { in: [...accountIds] }, removedAt: null, ...reachableExternalAccounts(principal) },
    select: PUBLIC_COLUMNS,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  const byAccount = new Map<string, PublicExternalAccount[]>();
  for (const row of rows) {
    const list = byAccount.get(row.accountId) ?? [];
    list.push(row);
    byAccount.set(row.accountId, list);
  }
  return accountIds.map((id) => byAccount.get(id) ?? []);
}

export async function getExternalAccount(deps: Dependencies, principal: PlatformPrincipal, id: string): Promise<PublicExternalAccount> {
  const [row] = await findExternalAccounts(deps, principal, [id]);
  if (!row) throw notFound("external account", id);
  return row;
}

/** Inside a transaction: the bank account and its owner, both reachable, the owner locked. */
export async function lockExternalAccount(
  tx: Tx,
  principal: PlatformPrincipal,
  id: string,
): Promise<{ target: PublicExternalAccount; owner: AccountRow }> {
  const first = await tx.externalAccount.findFirst({ where: { id, ...reachableExternalAccounts(principal) }, select: { accountId: true } });
  if (!first) throw notFound("external account", id);
  const owner = await lockAccount(tx, principal, first.accountId);
  // Read again under the lock: a concurrent change to its account's bank accounts has committed.
  const target = await tx.externalAccount.findUniqueOrThrow({ where: { id }, select: PUBLIC_COLUMNS });
  return { target, owner };
}
