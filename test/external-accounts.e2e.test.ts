// External bank accounts, end to end: validation, encryption at rest, fingerprints, defaults,
// removal, and what the payouts subgraph will read in-process.

import { beforeAll, describe, expect, it } from "vitest";
import { FINGERPRINT_PURPOSE } from "../subgraphs/accounts/service/add-external-account.ts";
import { loadPayoutDestination } from "../subgraphs/accounts/service/payout-destination.ts";
import type { PlatformPrincipal } from "../subgraphs/shared/auth/principal.ts";
import { createKeyring } from "../subgraphs/shared/encryption/keyring.ts";
import {
  AddExternalAccountDocument,
  CloseAccountDocument,
  ConnectedAccountDocument,
  ExternalAccountByIdDocument,
  RemoveExternalAccountDocument,
  SetDefaultExternalAccountDocument,
  SubmitVerificationDocument,
} from "./generated/graphql.ts";
import {
  DE_BANK,
  idempotencyKey,
  newBankAccount,
  newConnectedAccount,
  PERSON,
  rowCounts,
  TEST_ACCOUNT_NUMBERS,
  TEST_IBAN,
  US_BANK,
  verifiedConnectedAccount,
} from "./support/accounts.ts";
import { codes, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import type { Id } from "../subgraphs/shared/ids.ts";

let acme: TestTenant;
/** Turns US_BANK into the EUR test IBAN account. */
const IBAN_ONLY = { ...DE_BANK, routingNumber: null, accountNumber: null };

beforeAll(async () => {
  acme = await newPlatform("Bank Platform");
});

async function deps() {
  return (await testPlatform()).deps!;
}

const principalOf = (tenant: TestTenant, livemode = false): PlatformPrincipal => ({
  kind: "platform",
  tenantId: tenant.accountId,
  livemode,
  keyId: "key_test",
});

describe("addExternalAccount", () => {
  it.each(Object.entries(TEST_ACCOUNT_NUMBERS))("accepts the documented US test account number for %s", async (_fate, accountNumber) => {
    const accountId = await newConnectedAccount(acme);
    const data = await ok(
      AddExternalAccountDocument,
      { accountId, input: { ...US_BANK, accountNumber }, idempotencyKey: idempotencyKey() },
      acme.key,
    );
    expect(data.addExternalAccount).toMatchObject({
      accountHolderName: "Jane Doe",
      bankName: "STRIPE TEST BANK",
      country: "US",
      currency: "USD",
      last4: accountNumber.slice(-4),
      defaultForCurrency: true,
      status: "ACTIVE",
      livemode: false,
      removedAt: null,
      account: { id: accountId },
    });
    expect(data.addExternalAccount.id).toMatch(/^ba_[0-9A-Za-z]{24}$/);
    expect(data.addExternalAccount.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("accepts the documented EUR IBAN, printed with spaces", async () => {
    const accountId = await newConnectedAccount(acme, { country: "DE", defaultCurrency: "EUR" });
    const data = await ok(
      AddExternalAccountDocument,
      { accountId, input: { ...DE_BANK, iban: "DE89 3704 0044 0532 0130 00" }, idempotencyKey: idempotencyKey() },
      acme.key,
    );
    expect(data.addExternalAccount).toMatchObject({
      country: "DE",
      currency: "EUR",
      last4: "3000",
      bankName: "Commerzbank",
      defaultForCurrency: true,
    });
  });

  it("lets the platform add a bank account of its own", async () => {
    const data = await ok(
      AddExternalAccountDocument,
      { accountId: acme.accountId, input: US_BANK, idempotencyKey: idempotencyKey() },
      acme.key,
    );
    expect(data.addExternalAccount.account.id).toBe(acme.accountId);
  });

  it("stores the number encrypted (AES-256-GCM, bound to the row), never in clear, and only the fingerprint in the idempotency record", async () => {
    const accountId = await newConnectedAccount(acme);
    const key = idempotencyKey();
    const data = await ok(
      AddExternalAccountDocument,
      { accountId, input: { ...US_BANK, accountNumber: "000987654321" }, idempotencyKey: key },
      acme.key,
    );
    const { db, config } = await deps();
    const row = await db.prisma.externalAccount.findUniqueOrThrow({ where: { id: data.addExternalAccount.id } });
    const stored = JSON.stringify(row);
    expect(stored).not.toContain("000987654321");
    expect(stored).not.toContain("987654321");
    expect(row.encryptionKeyId).toBe(config.encryption.keys[0]!.id);
    const keyring = createKeyring(config.encryption);
    expect(keyring.decrypt({ keyId: row.encryptionKeyId, ciphertext: row.numberCiphertext }, row.id)).toBe("000987654321");
    expect(() => keyring.decrypt({ keyId: row.encryptionKeyId, ciphertext: row.numberCiphertext }, "ba_other")).toThrow();
    expect(row.fingerprint).toBe(keyring.fingerprint(FINGERPRINT_PURPOSE, [acme.accountId, "US_ABA", "110000000", "000987654321"]));
    const idempotencyRow = await db.prisma.idempotencyKey.findFirstOrThrow({ where: { scope: `${acme.accountId}:test`, key } });
    expect(JSON.stringify(idempotencyRow)).not.toContain("987654321");
  });

  it("is idempotent: a replay returns the first bank account", async () => {
    const accountId = await newConnectedAccount(acme);
    const key = idempotencyKey();
    const first = await ok(AddExternalAccountDocument, { accountId, input: US_BANK, idempotencyKey: key }, acme.key);
    const before = await rowCounts(acme);
    const replay = await ok(AddExternalAccountDocument, { accountId, input: US_BANK, idempotencyKey: key }, acme.key);
    expect(replay.addExternalAccount).toEqual(first.addExternalAccount);
    expect(await rowCounts(acme)).toEqual(before);
    const other = await request(
      AddExternalAccountDocument,
      { accountId, input: { ...US_BANK, accountNumber: "000111111116" }, idempotencyKey: key },
      { key: acme.key },
    );
    expect(codes(other)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
  });

  it("refuses a duplicate of an active bank account of the same currency, naming it", async () => {
    const accountId = await newConnectedAccount(acme);
    const first = await newBankAccount(acme, accountId);
    const before = await rowCounts(acme);
    const duplicate = await request(
      AddExternalAccountDocument,
      { accountId, input: { ...US_BANK, accountHolderName: "J. Doe" }, idempotencyKey: idempotencyKey() },
      { key: acme.key },
    );
    expect(codes(duplicate)).toEqual(["BAD_USER_INPUT"]);
    expect(duplicate.errors?.[0]?.extensions?.["duplicateOf"]).toBe(first);
    expect(await rowCounts(acme)).toEqual(before);
    // Once removed, the same bank account may be attached again.
    await ok(RemoveExternalAccountDocument, { id: first }, acme.key);
    const again = await newBankAccount(acme, accountId);
    expect(again).not.toBe(first);
  });

  it("gives the same bank account the same fingerprint on two accounts of a platform, and a different one on another platform", async () => {
    const [a, b] = [await newConnectedAccount(acme), await newConnectedAccount(acme)];
    const other = await newPlatform("Other Bank Platform");
    const c = await newConnectedAccount(other);
    const print = async (tenant: TestTenant, accountId: string) =>
      (await ok(AddExternalAccountDocument, { accountId, input: DE_BANK, idempotencyKey: idempotencyKey() }, tenant.key)).addExternalAccount
        .fingerprint;
    const [pa, pb, pc] = [await print(acme, a), await print(acme, b), await print(other, c)];
    expect(pa).toBe(pb);
    expect(pc).not.toBe(pa);
  });

  it.each([
    ["an unknown country", { country: "XX" }, "input.country"],
    ["an unsupported bank country", { country: "JP", currency: "JPY" }, "input.country"],
    ["a crypto currency", { currency: "BTC" }, "input.currency"],
    ["a currency the country's banks do not take", { currency: "EUR" }, "input.currency"],
    ["a routing number with a bad checksum", { routingNumber: "110000001" }, "input.routingNumber"],
    ["a routing number of 8 digits", { routingNumber: "11000000" }, "input.routingNumber"],
    ["a routing number with an unassigned prefix", { routingNumber: "500000005" }, "input.routingNumber"],
    ["no routing number", { routingNumber: null }, "input.routingNumber"],
    ["an account number with letters", { accountNumber: "0001234x" }, "input.accountNumber"],
    ["an IBAN for a US account", { iban: TEST_IBAN }, "input.iban"],
    ["an IBAN with a bad checksum", { ...IBAN_ONLY, iban: "DE89370400440532013001" }, "input.iban"],
    ["an IBAN of the wrong length", { ...IBAN_ONLY, iban: "DE8937040044053201300" }, "input.iban"],
    ["an IBAN of another country", { ...IBAN_ONLY, iban: "GB82WEST12345698765432" }, "input.iban"],
    ["an IBAN with an unknown country code", { ...IBAN_ONLY, iban: "QQ89370400440532013000" }, "input.iban"],
    ["no IBAN for an IBAN country", { ...IBAN_ONLY, iban: null }, "input.iban"],
    ["a routing number for an IBAN country", { ...IBAN_ONLY, routingNumber: "110000000" }, "input.routingNumber"],
    ["no account holder", { accountHolderName: " " }, "input.accountHolderName"],
  ])("refuses %s with BAD_USER_INPUT and writes nothing", async (_what, change, argument) => {
    const accountId = await newConnectedAccount(acme);
    const before = await rowCounts(acme);
    const result = await request(
      AddExternalAccountDocument,
      { accountId, input: { ...US_BANK, ...change }, idempotencyKey: idempotencyKey() },
      { key: acme.key },
    );
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions?.["argument"]).toBe(argument);
    expect(JSON.stringify(result.errors)).not.toMatch(/000123456789|0532013001/);
    expect(await rowCounts(acme)).toEqual(before);
  });

  it("refuses an unknown account with NOT_FOUND and writes nothing (the idempotency key is released)", async () => {
    const before = await rowCounts(acme);
    const key = idempotencyKey();
    const result = await request(
      AddExternalAccountDocument,
      { accountId: "acct_unknown000000000000000000", input: US_BANK, idempotencyKey: key },
      { key: acme.key },
    );
    expect(codes(result)).toEqual(["NOT_FOUND"]);
    expect(await rowCounts(acme)).toEqual(before);
  });
});

describe("defaults per currency, removal", () => {
  it("makes the first bank account of each currency its default; switching keeps exactly one", async () => {
    const accountId = await newConnectedAccount(acme);
    const usd1 = await newBankAccount(acme, accountId);
    const usd2 = await newBankAccount(acme, accountId, { accountNumber: "000111111116" });
    const eur = await newBankAccount(acme, accountId, IBAN_ONLY);
    const defaults = async () =>
      Object.fromEntries(
        (await ok(ConnectedAccountDocument, { id: accountId }, acme.key)).account!.externalAccounts.map((bank) => [
          bank.id,
          bank.defaultForCurrency,
        ]),
      );
    expect(await defaults()).toEqual({ [usd1]: true, [usd2]: false, [eur]: true });
    await ok(SetDefaultExternalAccountDocument, { id: usd2 }, acme.key);
    expect(await defaults()).toEqual({ [usd1]: false, [usd2]: true, [eur]: true });
    const usd3 = await newBankAccount(acme, accountId, { accountNumber: "000222222227", defaultForCurrency: true });
    expect(await defaults()).toEqual({ [usd1]: false, [usd2]: false, [usd3]: true, [eur]: true });
  });

  it("lists newest first and leaves removed bank accounts out of the list, but resolvable by id", async () => {
    const accountId = await newConnectedAccount(acme);
    const a = await newBankAccount(acme, accountId);
    const b = await newBankAccount(acme, accountId, { accountNumber: "000111111113" });
    let list = (await ok(ConnectedAccountDocument, { id: accountId }, acme.key)).account!.externalAccounts;
    expect(list.map((bank) => bank.id)).toEqual([b, a]);
    const removed = await ok(RemoveExternalAccountDocument, { id: b }, acme.key);
    expect(removed.removeExternalAccount).toMatchObject({ status: "REMOVED", defaultForCurrency: false });
    expect(removed.removeExternalAccount.removedAt).not.toBeNull();
    list = (await ok(ConnectedAccountDocument, { id: accountId }, acme.key)).account!.externalAccounts;
    expect(list.map((bank) => bank.id)).toEqual([a]);
    const byId = await ok(ExternalAccountByIdDocument, { id: b }, acme.key);
    expect(byId.externalAccount).toMatchObject({ id: b, status: "REMOVED" });
    // Removing it again changes nothing.
    const again = await ok(RemoveExternalAccountDocument, { id: b }, acme.key);
    expect(again.removeExternalAccount.removedAt).toBe(removed.removeExternalAccount.removedAt);
  });

  it("refuses to remove the default of a currency while others remain; allows the last one", async () => {
    const accountId = await newConnectedAccount(acme);
    const first = await newBankAccount(acme, accountId);
    const second = await newBankAccount(acme, accountId, { accountNumber: "000111111116" });
    const before = await rowCounts(acme);
    expect(codes(await request(RemoveExternalAccountDocument, { id: first }, { key: acme.key }))).toEqual(["INVALID_STATE"]);
    expect(await rowCounts(acme)).toEqual(before);
    await ok(RemoveExternalAccountDocument, { id: second }, acme.key);
    await ok(RemoveExternalAccountDocument, { id: first }, acme.key);
    expect((await ok(ConnectedAccountDocument, { id: accountId }, acme.key)).account!.externalAccounts).toEqual([]);
  });

  it("refuses to make a removed bank account the default", async () => {
    const accountId = await newConnectedAccount(acme);
    const id = await newBankAccount(acme, accountId);
    await ok(RemoveExternalAccountDocument, { id }, acme.key);
    expect(codes(await request(SetDefaultExternalAccountDocument, { id }, { key: acme.key }))).toEqual(["INVALID_STATE"]);
  });

  it.each([RemoveExternalAccountDocument, SetDefaultExternalAccountDocument, ExternalAccountByIdDocument])(
    "answers NOT_FOUND for an unknown bank account",
    async (document) => {
      expect(codes(await request(document, { id: "ba_unknown000000000000000000" }, { key: acme.key }))).toEqual(["NOT_FOUND"]);
    },
  );
});

describe("concurrent changes to one account's bank accounts (serialized by the account's row lock)", () => {
  it("attaches the same bank account once when it is added many times at once", async () => {
    const accountId = await newConnectedAccount(acme);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(AddExternalAccountDocument, { accountId, input: US_BANK, idempotencyKey: idempotencyKey() }, { key: acme.key }),
      ),
    );
    const succeeded = results.filter((result) => !result.errors);
    expect(succeeded).toHaveLength(1);
    for (const result of results.filter((r) => r.errors)) expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    const list = (await ok(ConnectedAccountDocument, { id: accountId }, acme.key)).account!.externalAccounts;
    expect(list).toHaveLength(1);
    expect(list[0]!.defaultForCurrency).toBe(true);
  });

  it("keeps exactly one default per currency under concurrent additions and switches", async () => {
    const accountId = await newConnectedAccount(acme);
    const numbers = ["000123456789", "000111111116", "000111111113", "000222222227", "000333333335"];
    const added = await Promise.all(
      numbers.map((accountNumber) =>
        ok(
          AddExternalAccountDocument,
          { accountId, input: { ...US_BANK, accountNumber, defaultForCurrency: true }, idempotencyKey: idempotencyKey() },
          acme.key,
        ),
      ),
    );
    const ids = added.map((data) => data.addExternalAccount.id);
    await Promise.all(ids.map((id) => ok(SetDefaultExternalAccountDocument, { id }, acme.key)));
    const list = (await ok(ConnectedAccountDocument, { id: accountId }, acme.key)).account!.externalAccounts;
    expect(list).toHaveLength(5);
    expect(list.filter((bank) => bank.defaultForCurrency)).toHaveLength(1);
  });
});

describe("payout destinations (for the payouts subgraph, in-process)", () => {
  it("gives an active, verified account's bank account with its number decrypted", async () => {
    const accountId = await verifiedConnectedAccount(acme);
    const us = await newBankAccount(acme, accountId, { accountNumber: TEST_ACCOUNT_NUMBERS.noAccount });
    const eur = await newBankAccount(acme, accountId, IBAN_ONLY);
    const { db, config } = await deps();
    // In the caller's transaction (the payouts path), and on an autocommit connection.
    const byId = await db.transaction((sql) =>
      loadPayoutDestination(sql, createKeyring(config.encryption), principalOf(acme), {
        accountId,
        externalAccountId: us,
        currency: "USD",
      }),
    );
    const byDefault = await loadPayoutDestination(db.sql, createKeyring(config.encryption), principalOf(acme), {
      accountId,
      currency: "EUR",
    });
    expect(byId).toMatchObject({
      id: us,
      routingNumber: "110000000",
      accountNumber: TEST_ACCOUNT_NUMBERS.noAccount,
      iban: null,
      currency: "USD",
    });
    expect(byDefault).toMatchObject({ id: eur, iban: TEST_IBAN, accountNumber: null, routingNumber: null, currency: "EUR" });
  });

  it.each([
    ["pending verification", async (id: string) => id],
    [
      "restricted",
      async (id: string) => (
        await ok(SubmitVerificationDocument, { accountId: id, input: { ...PERSON, idNumber: "111111111" } }, acme.key),
        id
      ),
    ],
    [
      "closed",
      async (id: string) => (
        await ok(SubmitVerificationDocument, { accountId: id, input: PERSON }, acme.key),
        await ok(CloseAccountDocument, { id }, acme.key),
        id
      ),
    ],
  ])("refuses a %s account with PAYOUTS_NOT_ENABLED", async (_state, prepare) => {
    const accountId = await newConnectedAccount(acme);
    const bank = await newBankAccount(acme, accountId);
    await prepare(accountId);
    const { db, config } = await deps();
    await expect(
      db.transaction((sql) =>
        loadPayoutDestination(sql, createKeyring(config.encryption), principalOf(acme), {
          accountId,
          externalAccountId: bank,
          currency: "USD",
        }),
      ),
    ).rejects.toMatchObject({ code: "PAYOUTS_NOT_ENABLED" });
  });

  it("answers NOT_FOUND for a removed bank account, another tenant's account, or the other mode", async () => {
    const accountId = await verifiedConnectedAccount(acme);
    const keep = await newBankAccount(acme, accountId);
    const removed = await newBankAccount(acme, accountId, { accountNumber: "000111111113" });
    await ok(RemoveExternalAccountDocument, { id: removed }, acme.key);
    const { db, config } = await deps();
    const other = await newPlatform("Payout Snooper");
    const load = (principal: PlatformPrincipal, externalAccountId: Id<"bankAccount">) =>
      db.transaction((sql) =>
        loadPayoutDestination(sql, createKeyring(config.encryption), principal, { accountId, externalAccountId, currency: "USD" }),
      );
    await expect(load(principalOf(acme), removed)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(load(principalOf(other), keep)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(load(principalOf(acme, true), keep)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
