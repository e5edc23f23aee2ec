// createApiKey: another secret key for the platform (one per service that calls us, so each can
// be rolled or revoked alone). The secret is in this response only; a replay of the same
// idempotency key returns the key without it (only its hash was kept).
// Errors: FORBIDDEN (a test key asking for a live key), BAD_USER_INPUT, IDEMPOTENCY_KEY_*.

import { generateSecretKey } from "../../shared/auth/api-key.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { newId } from "../../shared/ids.ts";
import type { ResultCodec } from "../../shared/idempotency/idempotency.ts";
import { refuseCreation, validateKeyName } from "../domain/api-key.ts";
import { lockAccount } from "./account-records.ts";
import { getApiKey, type ApiKeyRecord } from "./api-key-records.ts";
import { insertApiKeys } from "../store/api-keys.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { refused, throwIfRefused } from "../../shared/errors.ts";

export interface IssuedKey {
  readonly key: ApiKeyRecord;
  /** The secret, in the response that created it; null on an idempotent replay. */
  readonly secret: string | null;
}

export interface CreateApiKeyInput {
  readonly name?: string | null | undefined;
  /** Defaults to the caller's mode. */
  readonly livemode?: boolean | null | undefined;
}

export async function createApiKey(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: CreateApiKeyInput,
  idempotencyKey: string,
): Promise<IssuedKey> {
  const name = validateKeyName(input.name);
  if (isRefusal(name)) throw refused(name.under("input"));
  const livemode = input.livemode ?? principal.livemode;
  throwIfRefused(refuseCreation(principal.livemode, livemode));
  const codec: ResultCodec<IssuedKey> = {
    toJson: (issued) => ({ id: issued.key.id }),
    fromJson: async (json) => ({ key: await getApiKey(deps.db.sql, principal, String(json["id"])), secret: null }),
  };
  const request = { scope: principalScope(principal), key: idempotencyKey, operation: "createApiKey", params: { name, livemode } };
  return deps.idempotency.run(request, codec, async (sql) => {
    await lockAccount(sql, principal, principal.tenantId);
    const secret = generateSecretKey(livemode);
    const [key] = await insertApiKeys(sql, [
      { id: newId("apiKey"), accountId: principal.tenantId, livemode, name, secretHash: secret.secretHash, redacted: secret.redacted },
    ]);
    return { key: key!, secret: secret.secret };
  });
}
