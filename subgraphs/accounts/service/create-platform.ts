// createPlatform: the operator onboards a platform (a tenant) and receives its first secret keys.
// With an idempotency key, a retry (the first response lost) returns the same platform and the
// same keys. The keys are stored only hashed, so the key's record keeps them sealed for the
// key's lifetime (see platform-secrets.ts); without a key, every call creates a platform.
// Errors: FORBIDDEN (not the operator key), BAD_USER_INPUT, IDEMPOTENCY_KEY_*.

import { generateSecretKey } from "../../shared/auth/api-key.ts";
import { principalScope, type Principal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { Tx } from "../../shared/db/database.ts";
import { AppError, refused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { NEW_PLATFORM_STATE, validatePlatform, type NewPlatformInput, type ValidPlatform } from "../domain/account.ts";
import type { AccountRow } from "./account-records.ts";
import { sealedPlatformCodec } from "./platform-secrets.ts";
import { isRefusal } from "../../shared/refusal.ts";

export interface CreatedPlatform {
  readonly account: AccountRow;
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
  if (idempotencyKey === undefined || idempotencyKey === null) return deps.db.prisma.$transaction((tx) => writePlatform(tx, valid));
  const request = { scope: principalScope(principal), key: idempotencyKey, operation: "createPlatform", params: valid };
  return deps.idempotency.run(request, sealedPlatformCodec(deps, request), (tx) => writePlatform(tx, valid));
}

/** Shared by the demo seed, benchmarks and tests: no principal, no idempotency. */
export async function insertPlatform(deps: Dependencies, input: NewPlatformInput): Promise<CreatedPlatform> {
  const valid = validated(input);
  return deps.db.prisma.$transaction((tx) => writePlatform(tx, valid));
}

function validated(input: NewPlatformInput): ValidPlatform {
  const valid = validatePlatform(input);
  if (isRefusal(valid)) throw refused(valid);
  return valid;
}

/** The platform's row and its first key of each mode, in the caller's transaction. */
async function writePlatform(tx: Tx, valid: ValidPlatform): Promise<CreatedPlatform> {
  const id = newId("account");
  const key = generateSecretKey(false);
  const liveKey = generateSecretKey(true);
  const account = await tx.account.create({
    data: {
      id,
      tenantId: id,
      livemode: false,
      type: "PLATFORM",
      displayName: valid.displayName,
      country: valid.country,
      defaultCurrency: valid.defaultCurrency,
      ...NEW_PLATFORM_STATE,
    },
  });
  await tx.apiKey.createMany({
    data: [
      { id: newId("apiKey"), accountId: id, livemode: false, secretHash: key.secretHash, redacted: key.redacted },
      { id: newId("apiKey"), accountId: id, livemode: true, secretHash: liveKey.secretHash, redacted: liveKey.redacted },
    ],
  });
  return { account, secretKey: key.secret, liveSecretKey: liveKey.secret };
}
