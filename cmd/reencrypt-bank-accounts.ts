// `npm run accounts:reencrypt`: the second half of an encryption key rotation. Re-encrypts every
// stored bank account number with the first key of ENCRYPTION_KEYS; when it reports 0
// remaining, the older keys can be removed from the configuration (README, "Encryption").
import { reencryptExternalAccounts } from "../subgraphs/accounts/api.ts";
import { boot, exitOnStartFailure } from "./main.ts";
import { openMigratedDatabase } from "./platform.ts";

const { config, logger } = boot("reencrypt-bank-accounts", { allowGeneratedSecret: true });

async function main(): Promise<void> {
  const db = await openMigratedDatabase(config, logger);
  try {
    const result = await reencryptExternalAccounts(db, config.encryption);
    logger.info({ ...result, currentKey: config.encryption.keys[0]!.id }, "bank account numbers re-encrypted");
    logger.flush();
    console.log(`re-encrypted ${result.reencrypted} bank account numbers; ${result.remaining} remain on older keys`);
  } finally {
    await db.close();
  }
}

main().catch(exitOnStartFailure(logger));
