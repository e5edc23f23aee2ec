// API keys and modes, end to end: list, create, roll, revoke; test and live data kept apart.

import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AccountByIdDocument,
  AddExternalAccountDocument,
  ApiKeysDocument,
  ConnectedAccountDocument,
  ConnectedAccountsDocument,
  CreateApiKeyDocument,
  CreateConnectedAccountDocument,
  ExternalAccountByIdDocument,
  RevokeApiKeyDocument,
  RollApiKeyDocument,
  ViewerDocument,
} from "./generated/graphql.ts";
import { idempotencyKey, newBankAccount, newConnectedAccount, rowCounts, US_BANK } from "./support/accounts.ts";
import { codes, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";

let acme: TestTenant;

beforeAll(async () => {
  acme = await newPlatform("Key Platform");
});

async function createKey(tenant: TestTenant, input: { name?: string; livemode?: boolean } = {}, key = tenant.key) {
  const data = await ok(CreateApiKeyDocument, { input, idempotencyKey: idempotencyKey() }, key);
  return { id: data.createApiKey.apiKey.id, secret: data.createApiKey.secret! };
}

async function authenticates(secret: string): Promise<boolean> {
  const result = await request(ViewerDocument, {}, { key: secret });
  if (result.status === 401) return false;
  expect(result.errors).toBeUndefined();
  return true;
}

describe("viewer.apiKeys", () => {
  it("lists the keys a caller reaches, never the secret: a test key sees test keys, a live key both", async () => {
    const tenant = await newPlatform("Lister");
    const test = await ok(ApiKeysDocument, {}, tenant.key);
    expect(test.viewer.livemode).toBe(false);
    expect(test.viewer.apiKeys).toHaveLength(1);
    expect(test.viewer.apiKeys[0]).toMatchObject({ livemode: false, status: "ACTIVE", name: null, expiresAt: null, revokedAt: null });
    expect(test.viewer.apiKeys[0]!.redactedSecret).toBe(`${tenant.key.slice(0, 8)}…${tenant.key.slice(-4)}`);
    expect(test.viewer.apiKeys[0]!.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(test)).not.toContain(tenant.key);

    const live = await ok(ApiKeysDocument, {}, tenant.liveKey);
    expect(live.viewer.livemode).toBe(true);
    expect(live.viewer.apiKeys.map((key) => key.livemode).sort()).toEqual([false, true]);
    expect(JSON.stringify(live)).not.toContain(tenant.liveKey);
  });

  it("is empty on a connected account", async () => {
    const id = await newConnectedAccount(acme);
    const result = await request(`query($id: ID!) { account(id: $id) { apiKeys { id } } }`, { id }, { key: acme.key });
    expect(result.data).toEqual({ account: { apiKeys: [] } });
  });
});

describe("createApiKey", () => {
  it("issues a working key, shown once, stored as a hash", async () => {
    const data = await ok(CreateApiKeyDocument, { input: { name: "billing service" }, idempotencyKey: idempotencyKey() }, acme.key);
    const { apiKey, secret } = data.createApiKey;
    expect(secret).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    expect(apiKey).toMatchObject({ name: "billing service", livemode: false, status: "ACTIVE", lastUsedAt: null });
    expect(apiKey.id).toMatch(/^key_/);
    expect((await ok(ViewerDocument, {}, secret!)).viewer.id).toBe(acme.accountId);
    const row = await (await testPlatform()).deps!.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secretHash).toBe(createHash("sha256").update(secret!).digest("hex"));
    const listed = await ok(ApiKeysDocument, {}, acme.key);
    expect(listed.viewer.apiKeys.map((key) => key.id)).toContain(apiKey.id);
  });

  it("replays without the secret: it is never retrievable again", async () => {
    const key = idempotencyKey();
    const first = await ok(CreateApiKeyDocument, { input: { name: "once" }, idempotencyKey: key }, acme.key);
    const replay = await ok(CreateApiKeyDocument, { input: { name: "once" }, idempotencyKey: key }, acme.key);
    expect(first.createApiKey.secret).toMatch(/^sk_test_/);
    expect(replay.createApiKey.secret).toBeNull();
    expect(replay.createApiKey.apiKey.id).toBe(first.createApiKey.apiKey.id);
  });

  it("lets only a live key create live keys", async () => {
    const before = await rowCounts(acme);
    const refused = await request(CreateApiKeyDocument, { input: { livemode: true }, idempotencyKey: idempotencyKey() }, { key: acme.key });
    expect(codes(refused)).toEqual(["FORBIDDEN"]);
    expect(await rowCounts(acme)).toEqual(before);
    const live = await createKey(acme, { livemode: true }, acme.liveKey);
    expect(live.secret).toMatch(/^sk_live_/);
    const test = await createKey(acme, { livemode: false }, acme.liveKey);
    expect(test.secret).toMatch(/^sk_test_/);
  });

  it("refuses an oversize name and writes nothing", async () => {
    const before = await rowCounts(acme);
    const result = await request(
      CreateApiKeyDocument,
      { input: { name: "n".repeat(101) }, idempotencyKey: idempotencyKey() },
      { key: acme.key },
    );
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(await rowCounts(acme)).toEqual(before);
  });
});

describe("rollApiKey", () => {
  it("issues a new key; the old one keeps working during the grace period", async () => {
    const old = await createKey(acme, { name: "deploy" });
    const data = await ok(RollApiKeyDocument, { id: old.id, gracePeriodHours: 2, idempotencyKey: idempotencyKey() }, acme.key);
    const { apiKey, previousKey, secret } = data.rollApiKey;
    expect(apiKey).toMatchObject({ name: "deploy", livemode: false, status: "ACTIVE" });
    expect(previousKey).toMatchObject({ id: old.id, status: "EXPIRING" });
    const expiresIn = Date.parse(previousKey.expiresAt!) - Date.now();
    expect(expiresIn).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(2 * 3_600_000);
    expect(await authenticates(secret!)).toBe(true);
    expect(await authenticates(old.secret)).toBe(true);
    // Rolled once: roll its replacement, not it.
    expect(codes(await request(RollApiKeyDocument, { id: old.id, idempotencyKey: idempotencyKey() }, { key: acme.key }))).toEqual([
      "INVALID_STATE",
    ]);
  });

  it("with no grace period, stops the old key at once", async () => {
    const old = await createKey(acme);
    const data = await ok(RollApiKeyDocument, { id: old.id, gracePeriodHours: 0, idempotencyKey: idempotencyKey() }, acme.key);
    expect(data.rollApiKey.previousKey.status).toBe("EXPIRED");
    // Never used before, so the gateway has not cached it.
    expect(await authenticates(old.secret)).toBe(false);
    expect(await authenticates(data.rollApiKey.secret!)).toBe(true);
  });

  it("defaults to a 24-hour grace period and refuses more than 7 days", async () => {
    const old = await createKey(acme);
    const before = await rowCounts(acme);
    const refused = await request(
      RollApiKeyDocument,
      { id: old.id, gracePeriodHours: 169, idempotencyKey: idempotencyKey() },
      { key: acme.key },
    );
    expect(codes(refused)).toEqual(["BAD_USER_INPUT"]);
    expect(await rowCounts(acme)).toEqual(before);
    const data = await ok(RollApiKeyDocument, { id: old.id, idempotencyKey: idempotencyKey() }, acme.key);
    const hours = (Date.parse(data.rollApiKey.previousKey.expiresAt!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it("replays without the secret", async () => {
    const old = await createKey(acme);
    const key = idempotencyKey();
    const first = await ok(RollApiKeyDocument, { id: old.id, gracePeriodHours: 1, idempotencyKey: key }, acme.key);
    const replay = await ok(RollApiKeyDocument, { id: old.id, gracePeriodHours: 1, idempotencyKey: key }, acme.key);
    expect(replay.rollApiKey.apiKey.id).toBe(first.rollApiKey.apiKey.id);
    expect(replay.rollApiKey.secret).toBeNull();
  });
});

describe("revokeApiKey", () => {
  it("stops a key that was never cached at once", async () => {
    const key = await createKey(acme);
    const revoked = await ok(RevokeApiKeyDocument, { id: key.id }, acme.key);
    expect(revoked.revokeApiKey).toMatchObject({ id: key.id, status: "REVOKED" });
    expect(await authenticates(key.secret)).toBe(false);
    const listed = await ok(ApiKeysDocument, {}, acme.key);
    expect(listed.viewer.apiKeys.map((k) => k.id)).not.toContain(key.id);
    const all = await ok(ApiKeysDocument, { includeInactive: true }, acme.key);
    expect(all.viewer.apiKeys.find((k) => k.id === key.id)?.status).toBe("REVOKED");
  });

  it("stops a key in use within the gateway's cache lifetime (AUTH_CACHE_TTL_MS)", async () => {
    const key = await createKey(acme);
    expect(await authenticates(key.secret)).toBe(true);
    await ok(RevokeApiKeyDocument, { id: key.id }, acme.key);
    const ttl = (await testPlatform()).config.AUTH_CACHE_TTL_MS;
    const revokedAt = Date.now();
    while (await authenticates(key.secret)) {
      expect(Date.now() - revokedAt).toBeLessThan(ttl + 1_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(Date.now() - revokedAt).toBeLessThan(ttl + 1_000);
  }, 20_000);

  it("keeps the platform's last working key of a mode; a live key is invisible to a test key", async () => {
    const tenant = await newPlatform("Lonely Key");
    const keys = await ok(ApiKeysDocument, {}, tenant.key);
    const only = keys.viewer.apiKeys[0]!.id;
    const before = await rowCounts(tenant);
    expect(codes(await request(RevokeApiKeyDocument, { id: only }, { key: tenant.key }))).toEqual(["INVALID_STATE"]);
    expect(await rowCounts(tenant)).toEqual(before);
    const liveKeys = await ok(ApiKeysDocument, {}, tenant.liveKey);
    const liveId = liveKeys.viewer.apiKeys.find((key) => key.livemode)!.id;
    expect(codes(await request(RevokeApiKeyDocument, { id: liveId }, { key: tenant.key }))).toEqual(["NOT_FOUND"]);
    expect(codes(await request(RollApiKeyDocument, { id: liveId, idempotencyKey: idempotencyKey() }, { key: tenant.key }))).toEqual([
      "NOT_FOUND",
    ]);
    // With a second test key, the first can go.
    const second = await createKey(tenant);
    expect((await ok(RevokeApiKeyDocument, { id: only }, second.secret)).revokeApiKey.status).toBe("REVOKED");
  });

  it("never lets concurrent revocations remove a mode's last working keys", async () => {
    const tenant = await newPlatform("Racing Revocations");
    await createKey(tenant);
    const keys = (await ok(ApiKeysDocument, {}, tenant.key)).viewer.apiKeys.map((key) => key.id);
    expect(keys).toHaveLength(2);
    const results = await Promise.all(keys.map((id) => request(RevokeApiKeyDocument, { id }, { key: tenant.liveKey })));
    expect(results.map(codes).sort()).toEqual([[], ["INVALID_STATE"]]);
    const working = (await ok(ApiKeysDocument, {}, tenant.liveKey)).viewer.apiKeys.filter((key) => !key.livemode);
    expect(working).toHaveLength(1);
  });

  it("answers NOT_FOUND for an unknown key", async () => {
    const id = "key_unknown000000000000000000";
    expect(codes(await request(RevokeApiKeyDocument, { id }, { key: acme.key }))).toEqual(["NOT_FOUND"]);
    expect(codes(await request(RollApiKeyDocument, { id, idempotencyKey: idempotencyKey() }, { key: acme.key }))).toEqual(["NOT_FOUND"]);
  });
});

describe("test and live mode see separate data", () => {
  it("keeps connected accounts and bank accounts of one mode out of the other's reach", async () => {
    const tenant = await newPlatform("Two Modes");
    const testAccount = await newConnectedAccount(tenant);
    const testBank = await newBankAccount(tenant, testAccount);
    const live = await ok(
      CreateConnectedAccountDocument,
      { input: { displayName: "Live Seller", country: "US", defaultCurrency: "USD" }, idempotencyKey: idempotencyKey() },
      tenant.liveKey,
    );
    expect(live.createConnectedAccount.livemode).toBe(true);
    const liveAccount = live.createConnectedAccount.id;
    const liveBank = await ok(
      AddExternalAccountDocument,
      { accountId: liveAccount, input: US_BANK, idempotencyKey: idempotencyKey() },
      tenant.liveKey,
    );
    expect(liveBank.addExternalAccount.livemode).toBe(true);

    const testList = await ok(ConnectedAccountsDocument, {}, tenant.key);
    expect(testList.viewer.connectedAccounts.edges.map((edge) => edge.node.id)).toEqual([testAccount]);
    const liveList = await ok(ConnectedAccountsDocument, {}, tenant.liveKey);
    expect(liveList.viewer.connectedAccounts.edges.map((edge) => edge.node.id)).toEqual([liveAccount]);

    expect(codes(await request(AccountByIdDocument, { id: liveAccount }, { key: tenant.key }))).toEqual(["NOT_FOUND"]);
    expect(codes(await request(AccountByIdDocument, { id: testAccount }, { key: tenant.liveKey }))).toEqual(["NOT_FOUND"]);
    expect(codes(await request(ExternalAccountByIdDocument, { id: liveBank.addExternalAccount.id }, { key: tenant.key }))).toEqual([
      "NOT_FOUND",
    ]);
    expect(codes(await request(ExternalAccountByIdDocument, { id: testBank }, { key: tenant.liveKey }))).toEqual(["NOT_FOUND"]);
    const crossAdd = await request(
      AddExternalAccountDocument,
      { accountId: liveAccount, input: US_BANK, idempotencyKey: idempotencyKey() },
      { key: tenant.key },
    );
    expect(codes(crossAdd)).toEqual(["NOT_FOUND"]);

    // The platform itself is shared by both modes and answers in the key's mode.
    expect((await ok(ConnectedAccountDocument, { id: tenant.accountId }, tenant.liveKey)).account).toMatchObject({
      livemode: true,
      type: "PLATFORM",
    });
    expect((await ok(ConnectedAccountDocument, { id: tenant.accountId }, tenant.key)).account).toMatchObject({
      livemode: false,
      type: "PLATFORM",
    });
  });

  it("keeps idempotency keys of the two modes apart", async () => {
    const tenant = await newPlatform("Idempotent Modes");
    const key = idempotencyKey();
    const input = { displayName: "Same Key", country: "US", defaultCurrency: "USD" };
    const test = await ok(CreateConnectedAccountDocument, { input, idempotencyKey: key }, tenant.key);
    const live = await ok(CreateConnectedAccountDocument, { input, idempotencyKey: key }, tenant.liveKey);
    expect(test.createConnectedAccount.id).not.toBe(live.createConnectedAccount.id);
    expect([test.createConnectedAccount.livemode, live.createConnectedAccount.livemode]).toEqual([false, true]);
  });

  it("does not verify live-mode accounts by test values: they wait for review", async () => {
    const tenant = await newPlatform("Live Review");
    const id = await newConnectedAccount(tenant, {}, tenant.liveKey);
    const result = await request(
      `mutation($id: ID!) { submitVerification(accountId: $id, input: { legalName: "Jane", dateOfBirth: "1990-01-01", idNumber: "000000000",
         address: { line1: "1 Main St", city: "NYC", postalCode: "10001", country: "US" } }) { status payoutsEnabled requirements { currentlyDue disabledReason } } }`,
      { id },
      { key: tenant.liveKey },
    );
    expect(result.data).toEqual({
      submitVerification: {
        status: "PENDING_VERIFICATION",
        payoutsEnabled: false,
        requirements: { currentlyDue: [], disabledReason: "PENDING_REVIEW" },
      },
    });
  });
});
