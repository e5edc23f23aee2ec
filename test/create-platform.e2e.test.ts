// createPlatform end to end: the payload always delivers what was created (whatever the operator
// selects, across subgraphs), and an idempotency key recovers it, secrets included.

import { randomBytes } from "node:crypto";
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type IntrospectionQuery,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { ViewerDocument } from "./generated/graphql.ts";
import { idempotencyKey } from "./support/accounts.ts";
import { codes, ok, request } from "./support/client.ts";
import { ADMIN_API_KEY, testPlatform } from "./support/platform.ts";

/**
 * Every field of Account as the public schema has it (other subgraphs' fields included), each
 * with its scalar fields and one more level of objects: a field added later is selected too.
 */
function selectAll(type: GraphQLObjectType, depth: number): string {
  const usable = (field: GraphQLField<unknown, unknown>) =>
    field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined);
  const parts = ["__typename"];
  for (const field of Object.values(type.getFields()).filter(usable)) {
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (isObjectType(named) && depth > 0) parts.push(`${field.name} ${selectAll(named, depth - 1)}`);
  }
  return `{ ${parts.join(" ")} }`;
}

let everyAccountField: string;

beforeAll(async () => {
  await testPlatform();
  const introspection = await request<IntrospectionQuery, undefined>(getIntrospectionQuery());
  const account = buildClientSchema(introspection.data!).getType("Account") as GraphQLObjectType;
  everyAccountField = selectAll(account, 3);
  // The point of the test: fields owned by every subgraph are in the selection.
  for (const field of [
    "livemode",
    "apiKeys",
    "connectedAccounts",
    "externalAccounts",
    "balances",
    "balanceTransactions",
    "payouts",
    "cryptoWallets",
  ]) {
    expect(everyAccountField).toContain(` ${field} `);
  }
});

interface Created {
  secretKey: string;
  liveSecretKey: string;
  account: { id: string; displayName: string; livemode: boolean; [field: string]: unknown };
}

function createEverything(input: Record<string, string>, key?: string) {
  const query = `mutation ($input: CreatePlatformInput!${key ? ", $key: String" : ""}) {
    createPlatform(input: $input${key ? ", idempotencyKey: $key" : ""}) { secretKey liveSecretKey account ${everyAccountField} }
  }`;
  return request<{ createPlatform: Created }, unknown>(query, { input, ...(key ? { key } : {}) }, { key: ADMIN_API_KEY });
}

const uniqueName = (what: string) => `${what} ${randomBytes(6).toString("hex")}`;
const platformInput = (displayName: string) => ({ displayName, country: "US", defaultCurrency: "USD" });

async function platformsNamed(displayName: string): Promise<number> {
  return (await testPlatform()).deps!.db.prisma.account.count({ where: { displayName } });
}

async function expectWorkingKeys(created: Created) {
  expect(created.secretKey).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
  expect(created.liveSecretKey).toMatch(/^sk_live_[0-9A-Za-z]{32}$/);
  expect((await ok(ViewerDocument, {}, created.secretKey)).viewer.id).toBe(created.account.id);
  expect((await ok(ViewerDocument, {}, created.liveSecretKey)).viewer.id).toBe(created.account.id);
}

describe("createPlatform's payload", () => {
  it.each([
    ["with an idempotency key", idempotencyKey()],
    ["without one", undefined],
  ])("delivers the account and its secrets with every Account field selected, %s", async (_when, key) => {
    const displayName = uniqueName("Everything");
    const result = await createEverything(platformInput(displayName), key);
    expect(result.errors).toBeUndefined();
    const created = result.data!.createPlatform;
    expect(created.account).toMatchObject({ displayName, type: "PLATFORM", status: "ACTIVE", payoutsEnabled: true, livemode: false });
    expect(created.account.id).toMatch(/^acct_/);
    await expectWorkingKeys(created);
    // The operator reads none of the platform's data: those fields answer empty.
    expect(created.account).toMatchObject({
      apiKeys: [],
      externalAccounts: [],
      balances: [],
      cryptoWallets: [],
      connectedAccounts: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
      balanceTransactions: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
      payouts: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
  });

  it("still gives the operator nothing outside its payload", async () => {
    const result = await request(ViewerDocument, {}, { key: ADMIN_API_KEY });
    expect(codes(result)).toEqual(["FORBIDDEN"]);
    expect(result.data ?? null).toBeNull();
  });
});

describe("createPlatform's idempotency key", () => {
  it("replays the same platform and the same secrets, kept only sealed", async () => {
    const key = idempotencyKey();
    const displayName = uniqueName("Replayed");
    const first = await createEverything(platformInput(displayName), key);
    expect(first.errors).toBeUndefined();
    const replay = await createEverything(platformInput(displayName), key);
    expect(replay.errors).toBeUndefined();
    expect(replay.data!.createPlatform).toEqual(first.data!.createPlatform);
    expect(await platformsNamed(displayName)).toBe(1);
    await expectWorkingKeys(replay.data!.createPlatform);

    const { secretKey, liveSecretKey } = first.data!.createPlatform;
    const record = await (
      await testPlatform()
    ).deps!.db.prisma.idempotencyKey.findFirstOrThrow({ where: { key, operation: "createPlatform" } });
    expect(record.status).toBe("COMPLETED");
    const stored = JSON.stringify(record);
    expect(stored).not.toContain(secretKey);
    expect(stored).not.toContain(liveSecretKey);
    expect(stored).not.toContain(secretKey.slice(8));
    expect(record.expiresAt.getTime() - record.createdAt.getTime()).toBe(24 * 60 * 60 * 1000);
  });

  it("answers IDEMPOTENCY_KEY_REUSED for the same key with another input, and creates nothing", async () => {
    const key = idempotencyKey();
    const first = await createEverything(platformInput(uniqueName("First")), key);
    expect(first.errors).toBeUndefined();
    const otherName = uniqueName("Other");
    const reused = await createEverything(platformInput(otherName), key);
    expect(codes(reused)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(reused.data ?? null).toBeNull();
    expect(await platformsNamed(otherName)).toBe(0);
  });

  it("creates one platform for concurrent duplicates, and every answer carries its secrets", async () => {
    const key = idempotencyKey();
    const displayName = uniqueName("Concurrent");
    const results = await Promise.all(Array.from({ length: 8 }, () => createEverything(platformInput(displayName), key)));
    expect(await platformsNamed(displayName)).toBe(1);
    const answered = results.filter((result) => result.data?.createPlatform);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const result of answered) expect(result.data!.createPlatform).toEqual(answered[0]!.data!.createPlatform);
    for (const result of results.filter((result) => !result.data?.createPlatform))
      expect(codes(result)).toEqual(["IDEMPOTENCY_KEY_IN_USE"]);
    await expectWorkingKeys(answered[0]!.data!.createPlatform);
    // Whoever was told to retry gets the same platform.
    const retry = await createEverything(platformInput(displayName), key);
    expect(retry.data!.createPlatform).toEqual(answered[0]!.data!.createPlatform);
  });

  it("refuses a key of more than 255 characters before creating anything", async () => {
    const displayName = uniqueName("Long key");
    const result = await createEverything(platformInput(displayName), "k".repeat(256));
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(await platformsNamed(displayName)).toBe(0);
  });

  it("is the operator's own: a platform's key with the same idempotency key is still refused", async () => {
    const key = idempotencyKey();
    const created = await createEverything(platformInput(uniqueName("Owner")), key);
    const { secretKey } = created.data!.createPlatform;
    const result = await request(
      "mutation ($input: CreatePlatformInput!, $key: String) { createPlatform(input: $input, idempotencyKey: $key) { secretKey } }",
      { input: platformInput(uniqueName("Intruder")), key },
      { key: secretKey },
    );
    expect(codes(result)).toEqual(["FORBIDDEN"]);
  });
});
