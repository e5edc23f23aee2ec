// Reading a platform's API keys: never the secret (only its hash is stored), and only the
// modes the caller reaches (domain/api-key.ts).

import type { ApiKey as ApiKeyRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { Tx } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import { reachableModes } from "../domain/api-key.ts";

/** Everything but the hash. */
export type ApiKeyView = Omit<ApiKeyRow, "secretHash">;

export const KEY_COLUMNS = {
  id: true,
  accountId: true,
  livemode: true,
  name: true,
  redacted: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

export function reachableKeys(principal: PlatformPrincipal) {
  const modes = reachableModes(principal.livemode);
  return { accountId: principal.tenantId, ...(modes.length === 1 ? { livemode: modes[0]! } : {}) };
}

/** Newest first; without `includeInactive`, only keys that still work. */
export async function listApiKeys(
  deps: Dependencies,
  principal: PlatformPrincipal,
  includeInactive: boolean,
  now = new Date(),
): Promise<ApiKeyView[]> {
  return deps.db.prisma.apiKey.findMany({
    where: {
      ...reachableKeys(principal),
      ...(includeInactive ? {} : { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }),
    },
    select: KEY_COLUMNS,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

export async function getApiKey(db: Dependencies["db"]["prisma"] | Tx, principal: PlatformPrincipal, id: string): Promise<ApiKeyView> {
  const key = await db.apiKey.findFirst({ where: { id, ...reachableKeys(principal) }, select: KEY_COLUMNS });
  if (!key) throw notFound("API key", id);
  return key;
}

/** The platform's other keys of a mode that still work. */
export async function countOtherUsableKeys(tx: Tx, principal: PlatformPrincipal, key: ApiKeyView, now: Date): Promise<number> {
  return tx.apiKey.count({
    where: {
      accountId: principal.tenantId,
      livemode: key.livemode,
      id: { not: key.id },
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
  });
}
