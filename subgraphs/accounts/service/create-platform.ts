// createPlatform: the operator onboards a platform (a tenant) and receives its first secret keys.
// With an idempotency key, a retry (the first response lost) returns the same platform and the
// same keys. The keys are stored only hashed, so the key's record keeps them sealed for the
// key's lifetime (see platform-secrets.ts); without a key, every call creates a platform.
// Errors: FORBIDDEN (not the operator key), BAD_USER_INPUT, IDEMPOTENCY_KEY_*.

import { generateSecretKey } from "../../shared/auth/api-key.ts";
import { principalScope, type Principal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { AppError, refused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { NEW_PLATFORM_STATE, validatePlatform, type NewPlatformInput, type ValidPlatform } from "../domain/account.ts";
import { insertAccount, type AccountRecord } from "../store/accounts.ts";
import { insertApiKeys } from "../store/api-keys.ts";
import { sealedPlatformCodec } from "./platform-secrets.ts";
import { isRefusal } from "../../shared/refusal.ts";

export interface CreatedPlatform {
  readonly account: AccountRecord;
  /** Shown once (and to replays of its idempotency key): only its hash is stored with the key. */
  readonly secretKey: string;
  /** The first live-mode key, likewise. */
  readonly liveSecretKey: string;
}

export async function createPlatform(
  deps: Dependencies,
  principal: Principal,
  input: NewPlatformInput,
  idempotencyKey?: string | null,
): Promise<CreatedPlatform> {
  if (principal.kind !== "operator") throw new AppError("FORBIDDEN", "Only the operator key can create platforms");
  const valid = validated(input);
  if (idempotencyKey === undefined || idempotencyKey === null) return inTransaction(deps.db, (sql) => writePlatform(sql, valid));
  const request = { scope: principalScope(principal), key: idempotencyKey, operation: "createPlatform", params: valid };
  return deps.idempotency.run(request, sealedPlatformCodec(deps, request), (sql) => writePlatform(sql, valid));
}

/** Shared by the demo seed, benchmarks and tests: no principal, no idempotency. */
export async function insertPlatform(deps: Dependencies, input: NewPlatformInput): Promise<CreatedPlatform> {
  const valid = validated(input);
  return inTransaction(deps.db, (sql) => writePlatform(sql, valid));
}

function validated(input: NewPlatformInput): ValidPlatform {
  const valid = validatePlatform(input);
  if (isRefusal(valid)) throw refused(valid);
  return valid;
}

/** The platform's row and its first key of each mode, in the caller's transaction. */
async function writePlatform(sql: SqlClient, valid: ValidPlatform): Promise<CreatedPlatform> {
  const id = newId("account");
  const key = generateSecretKey(false);
  const liveKey = generateSecretKey(true);
  const account = await insertAccount(sql, {
    id,
    tenantId: id,
    platformId: null,
    livemode: false,
    type: "PLATFORM",
    displayName: valid.displayName,
    country: valid.country,
    defaultCurrency: valid.defaultCurrency,
    email: null,
    metadata: {},
    ...NEW_PLATFORM_STATE,
  });
  await insertApiKeys(sql, [
    { id: newId("apiKey"), accountId: id, livemode: false, name: null, secretHash: key.secretHash, redacted: key.redacted },
    { id: newId("apiKey"), accountId: id, livemode: true, name: null, secretHash: liveKey.secretHash, redacted: liveKey.redacted },
  ]);
  return { account, secretKey: key.secret, liveSecretKey: liveKey.secret };
}
