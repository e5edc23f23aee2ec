// What createPlatform's idempotency record keeps so a replay can answer in full. The secret keys
// are shown once and stored hashed, yet a retry whose first response was lost must get them: the
// record holds them sealed (AES-256-GCM under the current key of ENCRYPTION_KEYS, the keyring of
// bank account numbers), bound to the scope, the idempotency key and the account, so a sealed
// value copied to another record does not open. It lives as long as the idempotency key (24 h,
// then purged); a replay after a rotation needs the old key until then.

import type { Dependencies } from "../../shared/context.ts";
import type { IdempotentRequest, ResultCodec } from "../../shared/idempotency/idempotency.ts";
import { accountById } from "../store/accounts.ts";
import type { CreatedPlatform } from "./create-platform.ts";

interface Secrets {
  readonly secretKey: string;
  readonly liveSecretKey: string;
}

export function sealedPlatformCodec(deps: Dependencies, request: Pick<IdempotentRequest, "scope" | "key">): ResultCodec<CreatedPlatform> {
  const keyring = deps.keyring;
  const boundTo = (accountId: string) => ["createPlatform", request.scope, request.key, accountId].join("\u0000");
  return {
    toJson({ account, secretKey, liveSecretKey }) {
      const secrets: Secrets = { secretKey, liveSecretKey };
      const sealed = keyring.encrypt(JSON.stringify(secrets), boundTo(account.id));
      return { accountId: account.id, keyId: sealed.keyId, secrets: sealed.ciphertext };
    },
    async fromJson(json) {
      const accountId = String(json["accountId"]);
      const opened = keyring.decrypt({ keyId: String(json["keyId"]), ciphertext: String(json["secrets"]) }, boundTo(accountId));
      const { secretKey, liveSecretKey } = JSON.parse(opened) as Secrets;
      const account = await accountById(deps.db.sql, accountId);
      if (!account) throw new Error(`createPlatform's idempotency record names a missing account ${accountId}`);
      return { account, secretKey, liveSecretKey };
    },
  };
}
