import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDatabase } from "../../../test/support/database.ts";
import { testConfig } from "../../../test/support/platform.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Config } from "../../shared/config.ts";
import { createDependencies } from "../../dependencies.ts";
import { createKeyring } from "../../shared/encryption/keyring.ts";
import { createLogger } from "../../shared/logger.ts";
import { addExternalAccount } from "./add-external-account.ts";
import { insertPlatform } from "./create-platform.ts";
import { loadPayoutDestination } from "./payout-destination.ts";
import { reencryptExternalAccounts } from "./reencrypt-external-accounts.ts";
import type { Id } from "../../shared/ids.ts";

const key = (id: string) => ({ id, key: randomBytes(32) });

function withKeys(config: Config, keys: ReturnType<typeof key>[], fingerprintKey: Buffer): Config {
  return { ...config, encryption: { keys, fingerprintKey, usesDevelopmentDefault: false } };
}

describe("encryption key rotation", () => {
  it("re-encrypts bank account numbers onto the newest key, after which the old key can go", async () => {
    const db = await testDatabase();
    const base = testConfig();
    const fingerprintKey = randomBytes(32);
    const [oldKey, newKey] = [key("old"), key("new")];
    const before = createDependencies(db, withKeys(base, [oldKey], fingerprintKey), createLogger("silent", "test"));
    const { account } = await insertPlatform(before, { displayName: "Rotating", country: "US", defaultCurrency: "USD" });
    const principal: PlatformPrincipal = { kind: "platform", tenantId: account.id, livemode: false, keyId: "key_x" };
    const numbers = ["000123456789", "000111111116", "000111111113"];
    const ids: Id<"bankAccount">[] = [];
    for (const accountNumber of numbers) {
      const input = {
        country: "US",
        currency: "USD",
        accountHolderName: "Jane",
        routingNumber: "110000000",
        accountNumber,
        defaultForCurrency: true,
      };
      ids.push((await addExternalAccount(before, principal, account.id, input, `k-${accountNumber}`)).id);
    }
    const fingerprints = await db.prisma.externalAccount.findMany({
      where: { id: { in: ids } },
      select: { fingerprint: true },
      orderBy: { id: "asc" },
    });

    // Step 1: deploy with the new key first and the old one still listed.
    const rotating = withKeys(base, [newKey, oldKey], fingerprintKey).encryption;
    // Step 2: re-encrypt (in batches smaller than the rows, to cross a batch boundary).
    expect(await reencryptExternalAccounts(db, rotating, { tenantId: account.id, batchSize: 2 })).toEqual({ reencrypted: 3, remaining: 0 });
    expect(await reencryptExternalAccounts(db, rotating, { tenantId: account.id })).toEqual({ reencrypted: 0, remaining: 0 });
    const rows = await db.prisma.externalAccount.findMany({ where: { id: { in: ids } } });
    expect(rows.map((row) => row.encryptionKeyId)).toEqual(["new", "new", "new"]);
    // Fingerprints do not depend on the encryption key: duplicates are still found.
    expect(
      await db.prisma.externalAccount.findMany({ where: { id: { in: ids } }, select: { fingerprint: true }, orderBy: { id: "asc" } }),
    ).toEqual(fingerprints);

    // Step 3: drop the old key; every number still decrypts.
    const after = createKeyring(withKeys(base, [newKey], fingerprintKey).encryption);
    const destinations = await db.transaction(async (sql) => {
      const found = [];
      for (const externalAccountId of ids)
        found.push(await loadPayoutDestination(sql, after, principal, { accountId: account.id, externalAccountId, currency: "USD" }));
      return found;
    });
    expect(destinations.map((destination) => destination.accountNumber).sort()).toEqual([...numbers].sort());
  });

  it("fails loudly, never silently, when a row's key is not configured", async () => {
    const db = await testDatabase();
    const base = testConfig();
    const fingerprintKey = randomBytes(32);
    const deps = createDependencies(db, withKeys(base, [key("lost")], fingerprintKey), createLogger("silent", "test"));
    const { account } = await insertPlatform(deps, { displayName: "Lost Key", country: "US", defaultCurrency: "USD" });
    const principal: PlatformPrincipal = { kind: "platform", tenantId: account.id, livemode: false, keyId: "key_x" };
    await addExternalAccount(
      deps,
      principal,
      account.id,
      { country: "DE", currency: "EUR", accountHolderName: "J", iban: "DE89370400440532013000" },
      "k",
    );
    await expect(
      reencryptExternalAccounts(db, withKeys(base, [key("other")], fingerprintKey).encryption, { tenantId: account.id }),
    ).rejects.toThrow(/'lost' is not configured/);
  });
});
