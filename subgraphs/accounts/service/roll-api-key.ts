// rollApiKey: a new secret replaces a key; the old one keeps working for a grace period (0 to
// 168 hours, default 24) so deployments can switch over, then stops. The new key keeps the old
// one's name and mode. Idempotent like a creation: a replay returns the new key without secret.
// Errors: NOT_FOUND, BAD_USER_INPUT (grace period), INVALID_STATE (already rolled, expired or
// revoked), IDEMPOTENCY_KEY_*.

import { generateSecretKey } from "../../shared/auth/api-key.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { newId } from "../../shared/ids.ts";
import type { ResultCodec } from "../../shared/idempotency/idempotency.ts";
import { refuseRoll, validateGraceHours } from "../domain/api-key.ts";
import { lockAccount } from "./account-records.ts";
import { getApiKey, type ApiKeyRecord } from "./api-key-records.ts";
import { insertApiKeys, setKeyExpiry } from "../store/api-keys.ts";
import type { IssuedKey } from "./create-api-key.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { refused, throwIfRefused } from "../../shared/errors.ts";

export interface RolledKey extends IssuedKey {
  /** The key that was rolled, now expiring (or expired, with no grace period). */
  readonly previous: ApiKeyRecord;
}

export async function rollApiKey(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
  gracePeriodHours: number | null | undefined,
  idempotencyKey: string,
  now = () => new Date(),
): Promise<RolledKey> {
  const grace = validateGraceHours(gracePeriodHours);
  if (isRefusal(grace)) throw refused(grace);
  const codec: ResultCodec<RolledKey> = {
    toJson: (rolled) => ({ id: rolled.key.id, previousId: rolled.previous.id }),
    fromJson: async (json) => ({
      key: await getApiKey(deps.db.sql, principal, String(json["id"])),
      previous: await getApiKey(deps.db.sql, principal, String(json["previousId"])),
      secret: null,
    }),
  };
  const request = { scope: principalScope(principal), key: idempotencyKey, operation: "rollApiKey", params: { id, grace } };
  return deps.idempotency.run(request, codec, async (sql) => {
    await lockAccount(sql, principal, principal.tenantId);
    const at = now();
    const old = await getApiKey(sql, principal, id);
    throwIfRefused(refuseRoll(old, at));
    const previous = await setKeyExpiry(sql, old.id, new Date(at.getTime() + grace * 3_600_000));
    const secret = generateSecretKey(old.livemode);
    const [key] = await insertApiKeys(sql, [
      {
        id: newId("apiKey"),
        accountId: principal.tenantId,
        livemode: old.livemode,
        name: old.name,
        secretHash: secret.secretHash,
        redacted: secret.redacted,
        createdAt: at,
      },
    ]);
    return { key: key!, previous, secret: secret.secret };
  });
}
