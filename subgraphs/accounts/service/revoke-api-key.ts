// revokeApiKey: the key stops working. The gateway caches key lookups for AUTH_CACHE_TTL_MS
// (default 5 s), so a revoked key may still pass for at most that long. Revoking a key that no
// longer works changes nothing. The platform's last working key of a mode cannot be revoked
// (roll it instead), so a platform never locks itself out.
// Errors: NOT_FOUND, INVALID_STATE (last working key).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { isUsable, refuseRevocation } from "../domain/api-key.ts";
import { lockAccount } from "./account-records.ts";
import { getApiKey, type ApiKeyRecord } from "./api-key-records.ts";
import { countOtherUsableKeys, setKeyRevoked } from "../store/api-keys.ts";
import { throwIfRefused } from "../../shared/errors.ts";

export async function revokeApiKey(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
  now = () => new Date(),
): Promise<ApiKeyRecord> {
  return inTransaction(deps.db, async (sql) => {
    // Serializes key changes of the platform: two revocations cannot both see the other key alive.
    await lockAccount(sql, principal, principal.tenantId);
    const at = now();
    const key = await getApiKey(sql, principal, id);
    if (key.revokedAt) return key;
    if (isUsable(key, at))
      throwIfRefused(refuseRevocation(key, await countOtherUsableKeys(sql, principal.tenantId, key.livemode, key.id, at), at));
    return setKeyRevoked(sql, key.id, at);
  });
}
