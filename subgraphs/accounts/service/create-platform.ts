// createPlatform: the operator onboards a platform (a tenant) and receives its first secret key.
// Errors: FORBIDDEN (not the operator key), BAD_USER_INPUT.

import type { Principal } from "../../shared/auth/principal.ts";
import { generateSecretKey } from "../../shared/auth/api-key.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError, badInput } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { NEW_PLATFORM_STATE, validatePlatform, type NewPlatformInput } from "../domain/account.ts";
import type { AccountRow } from "./account-records.ts";

export interface CreatedPlatform {
  readonly account: AccountRow;
  /** Shown once: only its hash is stored. */
  readonly secretKey: string;
  /** The first live-mode key, likewise shown once. */
  readonly liveSecretKey: string;
}

export async function createPlatform(deps: Dependencies, principal: Principal, input: NewPlatformInput): Promise<CreatedPlatform> {
  if (principal.kind !== "operator") throw new AppError("FORBIDDEN", "Only the operator key can create platforms");
  return insertPlatform(deps, input);
}

/** Shared by createPlatform and the demo seed; callers decide who may. */
export async function insertPlatform(deps: Dependencies, input: NewPlatformInput): Promise<CreatedPlatform> {
  const valid = validatePlatform(input);
  if ("message" in valid) throw badInput(valid.message, valid.field);
  const id = newId("account");
  const key = generateSecretKey(false);
  const liveKey = generateSecretKey(true);
  const account = await deps.db.prisma.$transaction(async (tx) => {
    const created = await tx.account.create({
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
    return created;
  });
  return { account, secretKey: key.secret, liveSecretKey: liveKey.secret };
}
