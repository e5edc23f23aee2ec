// Resolves a secret key to the principal it stands for. Called by the gateway (signed as the
// gateway) on a cache miss; the accounts subgraph owns the keys, so the gateway never reads
// their table.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import { hashSecret, looksLikeSecretKey } from "../../shared/auth/api-key.ts";
import type { Dependencies } from "../../shared/context.ts";

/** lastUsedAt is a hint for dashboards: write it at most this often per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function authenticateSecret(deps: Dependencies, secret: string, now = new Date()): Promise<PlatformPrincipal | null> {
  if (!looksLikeSecretKey(secret)) return null;
  const key = await deps.db.prisma.apiKey.findUnique({
    where: { secretHash: hashSecret(secret) },
    select: { id: true, livemode: true, revokedAt: true, expiresAt: true, lastUsedAt: true, account: { select: { tenantId: true, status: true } } },
  });
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now) || key.account.status === "CLOSED") return null;
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await deps.db.prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
  }
  return { kind: "platform", tenantId: key.account.tenantId, livemode: key.livemode, keyId: key.id };
}
