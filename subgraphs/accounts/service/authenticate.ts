// Resolves a secret key to the principal it stands for. Called by the gateway (signed as the
// gateway) on a cache miss; the accounts subgraph owns the keys, so the gateway never reads
// their table.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import { hashSecret, looksLikeSecretKey } from "../../shared/auth/api-key.ts";
import type { Dependencies } from "../../shared/context.ts";
import { keyBySecretHash, setKeyLastUsed } from "../store/api-keys.ts";

/** lastUsedAt is a hint for dashboards: write it at most this often per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function authenticateSecret(deps: Dependencies, secret: string, now = new Date()): Promise<PlatformPrincipal | null> {
  if (!looksLikeSecretKey(secret)) return null;
  const key = await keyBySecretHash(deps.db.sql, hashSecret(secret));
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now) || key.accountStatus === "CLOSED") return null;
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await setKeyLastUsed(deps.db.sql, key.id, now);
  }
  return { kind: "platform", tenantId: key.tenantId, livemode: key.livemode, keyId: key.id };
}
