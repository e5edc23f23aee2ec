// Key rotation, second half: re-encrypts every bank account number sealed with a key other than
// the current (first) one of ENCRYPTION_KEYS. Run after prepending a new key and deploying it
// everywhere; when it reports 0 remaining, the old key can be dropped from the configuration.
// Safe to run while the platform serves traffic, and to re-run: each row is rewritten only if it
// is still sealed with the key it was read with.

import type { EncryptionConfig } from "../../shared/config.ts";
import { createKeyring } from "../../shared/encryption/keyring.ts";
import type { Database } from "../../shared/db/database.ts";
import { countSealedWithOtherKeys, reseal, sealedWithOtherKeys } from "../store/external-accounts.ts";

export interface ReencryptResult {
  readonly reencrypted: number;
  /** Rows still on an older key (0 when done). */
  readonly remaining: number;
}

export interface ReencryptOptions {
  /** Only this tenant's bank accounts (default: all). */
  readonly tenantId?: string | undefined;
  readonly batchSize?: number;
}

export async function reencryptExternalAccounts(
  db: Database,
  encryption: EncryptionConfig,
  options: ReencryptOptions = {},
): Promise<ReencryptResult> {
  const keyring = createKeyring(encryption);
  const current = keyring.currentKeyId;
  let reencrypted = 0;
  let after = "";
  for (;;) {
    const batch = await sealedWithOtherKeys(db.sql, current, options.tenantId, after, options.batchSize ?? 200);
    if (batch.length === 0) break;
    for (const row of batch) {
      const number = keyring.decrypt({ keyId: row.encryptionKeyId, ciphertext: row.numberCiphertext }, row.id);
      const sealed = keyring.encrypt(number, row.id);
      if (await reseal(db.sql, row, sealed)) reencrypted += 1;
    }
    after = batch.at(-1)!.id;
  }
  const remaining = await countSealedWithOtherKeys(db.sql, current, options.tenantId);
  return { reencrypted, remaining };
}
