// Tenancy of the accounts subgraph on every entry point (queries, mutations, `_entities`,
// cursors), and the cost of reading many accounts: a bounded number of SQL statements.

import { beforeAll, describe, expect, it } from "vitest";
import { addExternalAccount } from "../subgraphs/accounts/service/add-external-account.ts";
import { createConnectedAccount } from "../subgraphs/accounts/service/create-connected-account.ts";
import { signPrincipal } from "../subgraphs/shared/auth/signature.ts";
import type { Principal } from "../subgraphs/shared/auth/principal.ts";
import {
  AccountByIdDocument,
  AddExternalAccountDocument,
  CloseAccountDocument,
  ConnectedAccountDocument,
  ConnectedAccountsDocument,
  ConnectedAccountsWithBanksDocument,
  ExternalAccountByIdDocument,
  RemoveExternalAccountDocument,
  RevokeApiKeyDocument,
  RollApiKeyDocument,
  SetDefaultExternalAccountDocument,
  SubmitVerificationDocument,
  UpdateConnectedAccountDocument,
} from "./generated/graphql.ts";
import { idempotencyKey, newBankAccount, newConnectedAccount, PERSON, rowCounts, US_BANK } from "./support/accounts.ts";
import { codes, newPlatform, ok, request, type Response, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";

let alice: TestTenant;
let bob: TestTenant;
let aliceAccount: string;
let aliceBank: string;
let bobAccount: string;
let bobBank: string;
let bobKeyId: string;

beforeAll(async () => {
  [alice, bob] = await Promise.all([newPlatform("Alice Connect"), newPlatform("Bob Connect")]);
  aliceAccount = await newConnectedAccount(alice, { displayName: "Alice's seller" });
  aliceBank = await newBankAccount(alice, aliceAccount);
  bobAccount = await newConnectedAccount(bob, { displayName: "Bob's seller" });
  bobBank = await newBankAccount(bob, bobAccount);
  const db = (await testPlatform()).deps!.db;
  bobKeyId = (await db.prisma.apiKey.findFirstOrThrow({ where: { accountId: bob.accountId, livemode: false } })).id;
});

/** The answer to another tenant's id must be the answer to an id that does not exist. */
function expectNotFoundLikeUnknown(foreign: Response<unknown>, unknown: Response<unknown>, foreignId: string, unknownId: string) {
  expect(codes(foreign)).toEqual(["NOT_FOUND"]);
  expect(codes(unknown)).toEqual(["NOT_FOUND"]);
  expect(foreign.errors?.[0]?.message.replace(foreignId, "ID")).toBe(unknown.errors?.[0]?.message.replace(unknownId, "ID"));
  expect(foreign.data).toEqual(unknown.data);
}

const UNKNOWN_ACCOUNT = "acct_doesnotexist000000000000";
const UNKNOWN_BANK = "ba_doesnotexist0000000000000";
const UNKNOWN_KEY = "key_doesnotexist000000000000";

describe("another platform's objects are unknown ids", () => {
  it.each([
    ["account(id)", AccountByIdDocument, {}],
    ["account(id) with bank accounts", ConnectedAccountDocument, {}],
    ["updateConnectedAccount", UpdateConnectedAccountDocument, { input: { displayName: "Hijacked", metadata: { owner: "alice" } } }],
    ["closeAccount", CloseAccountDocument, {}],
  ] as const)("%s", async (_what, document, extra) => {
    const before = await rowCounts(bob);
    const foreign = await request(document as never, { id: bobAccount, ...extra }, { key: alice.key });
    const unknown = await request(document as never, { id: UNKNOWN_ACCOUNT, ...extra }, { key: alice.key });
    expectNotFoundLikeUnknown(foreign, unknown, bobAccount, UNKNOWN_ACCOUNT);
    expect(await rowCounts(bob)).toEqual(before);
  });

  it("submitVerification and addExternalAccount", async () => {
    const before = await rowCounts(bob);
    const verify = (accountId: string) => request(SubmitVerificationDocument, { accountId, input: PERSON }, { key: alice.key });
    expectNotFoundLikeUnknown(await verify(bobAccount), await verify(UNKNOWN_ACCOUNT), bobAccount, UNKNOWN_ACCOUNT);
    const add = (accountId: string) =>
      request(AddExternalAccountDocument, { accountId, input: US_BANK, idempotencyKey: idempotencyKey() }, { key: alice.key });
    expectNotFoundLikeUnknown(await add(bobAccount), await add(UNKNOWN_ACCOUNT), bobAccount, UNKNOWN_ACCOUNT);
    // Not even on Bob's platform account itself.
    expect(codes(await add(bob.accountId))).toEqual(["NOT_FOUND"]);
    expect(await rowCounts(bob)).toEqual(before);
    const account = await ok(ConnectedAccountDocument, { id: bobAccount }, bob.key);
    expect(account.account).toMatchObject({ status: "PENDING_VERIFICATION", displayName: "Bob's seller" });
  });

  it.each([
    ["externalAccount(id)", ExternalAccountByIdDocument],
    ["removeExternalAccount", RemoveExternalAccountDocument],
    ["setDefaultExternalAccount", SetDefaultExternalAccountDocument],
  ] as const)("%s", async (_what, document) => {
    const before = await rowCounts(bob);
    const foreign = await request(document, { id: bobBank }, { key: alice.key });
    const unknown = await request(document, { id: UNKNOWN_BANK }, { key: alice.key });
    expectNotFoundLikeUnknown(foreign, unknown, bobBank, UNKNOWN_BANK);
    expect(await rowCounts(bob)).toEqual(before);
  });

  it("revokeApiKey and rollApiKey", async () => {
    const before = await rowCounts(bob);
    const revoke = (id: string) => request(RevokeApiKeyDocument, { id }, { key: alice.key });
    expectNotFoundLikeUnknown(await revoke(bobKeyId), await revoke(UNKNOWN_KEY), bobKeyId, UNKNOWN_KEY);
    const roll = (id: string) =>
      request(RollApiKeyDocument, { id, gracePeriodHours: 0, idempotencyKey: idempotencyKey() }, { key: alice.key });
    expectNotFoundLikeUnknown(await roll(bobKeyId), await roll(UNKNOWN_KEY), bobKeyId, UNKNOWN_KEY);
    expect(await rowCounts(bob)).toEqual(before);
    expect((await ok(AccountByIdDocument, { id: bob.accountId }, bob.key)).account?.id).toBe(bob.accountId);
  });

  it("never lists another platform's accounts, bank accounts or keys", async () => {
    const data = await ok(ConnectedAccountsWithBanksDocument, { first: 100 }, alice.key);
    const ids = data.viewer.connectedAccounts.edges.map((edge) => edge.node.id);
    expect(ids).toContain(aliceAccount);
    expect(ids).not.toContain(bobAccount);
    const banks = data.viewer.connectedAccounts.edges.flatMap((edge) => edge.node.externalAccounts.map((bank) => bank.id));
    expect(banks).toContain(aliceBank);
    expect(banks).not.toContain(bobBank);
    const keys = await request("{ viewer { apiKeys(includeInactive: true) { id } } }", undefined, { key: alice.key });
    expect(JSON.stringify(keys.data)).not.toContain(bobKeyId);
    // A connected account has no connected accounts of its own.
    const nested = await request(
      `query($id: ID!) { account(id: $id) { connectedAccounts { edges { node { id } } } } }`,
      { id: aliceAccount },
      { key: alice.key },
    );
    expect(nested.data).toEqual({ account: { connectedAccounts: { edges: [] } } });
  });
});

describe("cursors crafted by hand", () => {
  const cursor = (createdAt: string, id: string) => Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");

  it("only move the window inside the caller's own accounts", async () => {
    const db = (await testPlatform()).deps!.db;
    const bobRow = await db.prisma.account.findUniqueOrThrow({ where: { id: bobAccount } });
    const fromBob = await ok(
      ConnectedAccountsDocument,
      { first: 100, after: cursor(bobRow.createdAt.toISOString(), bobAccount) },
      alice.key,
    );
    const future = await ok(ConnectedAccountsDocument, { first: 100, after: cursor("2999-01-01T00:00:00.000Z", "zzzz") }, alice.key);
    for (const page of [fromBob, future]) {
      const ids = page.viewer.connectedAccounts.edges.map((edge) => edge.node.id);
      expect(ids).not.toContain(bobAccount);
      const rows = await db.prisma.account.findMany({ where: { id: { in: ids } }, select: { tenantId: true } });
      expect(rows.every((row) => row.tenantId === alice.accountId)).toBe(true);
    }
    expect(future.viewer.connectedAccounts.edges.map((edge) => edge.node.id)).toContain(aliceAccount);
  });

  it.each(["garbage", cursor("not a date", "x"), Buffer.from('{"a":1}').toString("base64url")])(
    "refuses a malformed cursor %s with BAD_USER_INPUT",
    async (after) => {
      expect(codes(await request(ConnectedAccountsDocument, { first: 5, after }, { key: alice.key }))).toEqual(["BAD_USER_INPUT"]);
    },
  );
});

async function entities(principal: Principal, representations: { __typename: string; id: string }[], selection: string) {
  const platform = await testPlatform();
  const accounts = platform.subgraphs.find((subgraph) => subgraph.name === "accounts")!;
  const operation = { query: `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, variables: { r: representations } };
  const response = await fetch(accounts.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...signPrincipal(principal, platform.config.gatewaySecret, operation) },
    body: JSON.stringify(operation),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data: { _entities: (Record<string, unknown> | null)[] }; errors?: unknown[] };
}

describe("_entities with a valid gateway signature", () => {
  const as = (tenant: TestTenant, livemode = false): Principal => ({
    kind: "platform",
    tenantId: tenant.accountId,
    livemode,
    keyId: "key_x",
  });

  it("resolves another tenant's accounts to null, exactly like unknown ids", async () => {
    const body = await entities(
      as(alice),
      [aliceAccount, bobAccount, bob.accountId, UNKNOWN_ACCOUNT].map((id) => ({ __typename: "Account", id })),
      "... on Account { id displayName externalAccounts { id } }",
    );
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toEqual([
      { id: aliceAccount, displayName: "Alice's seller", externalAccounts: [{ id: aliceBank }] },
      null,
      null,
      null,
    ]);
  });

  it("resolves another tenant's bank accounts to null", async () => {
    const body = await entities(
      as(alice),
      [aliceBank, bobBank, UNKNOWN_BANK].map((id) => ({ __typename: "ExternalAccount", id })),
      "... on ExternalAccount { id last4 account { id } }",
    );
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toEqual([{ id: aliceBank, last4: "6789", account: { id: aliceAccount } }, null, null]);
  });

  it("resolves the other mode's objects to null", async () => {
    const body = await entities(
      as(alice, true),
      [
        { __typename: "Account", id: aliceAccount },
        { __typename: "ExternalAccount", id: aliceBank },
        { __typename: "Account", id: alice.accountId },
      ],
      "... on Account { id livemode } ... on ExternalAccount { id }",
    );
    expect(body.data._entities).toEqual([null, null, { id: alice.accountId, livemode: true }]);
  });

  it("refuses the operator's and the gateway's principals", async () => {
    for (const principal of [{ kind: "operator" }, { kind: "gateway" }] as const) {
      const body = await entities(principal, [{ __typename: "Account", id: alice.accountId }], "... on Account { id }");
      expect(body.data._entities).toEqual([null]);
      expect(JSON.stringify(body.errors)).toMatch(/FORBIDDEN/);
    }
  });
});

describe("cost of reading many accounts", () => {
  let tenant: TestTenant;
  let accountIds: string[];

  beforeAll(async () => {
    tenant = await newPlatform("Hundred Sellers");
    accountIds = [];
    // 100 connected accounts, each with a bank account, ten with two. Made through the use cases
    // in-process (the gateway's part is tested above; here only the read is measured).
    const deps = (await testPlatform()).deps!;
    const principal: Principal = { kind: "platform", tenantId: tenant.accountId, livemode: false, keyId: "key_x" };
    for (let i = 0; i < 100; i += 1) {
      const input = { displayName: `Seller ${i}`, country: "US", defaultCurrency: "USD" };
      const account = await createConnectedAccount(deps, principal, input, idempotencyKey());
      await addExternalAccount(deps, principal, account.id, US_BANK, idempotencyKey());
      if (i % 10 === 0)
        await addExternalAccount(deps, principal, account.id, { ...US_BANK, accountNumber: "000111111116" }, idempotencyKey());
      accountIds.push(account.id);
    }
  }, 180_000);

  const ACCOUNTS_TABLES = /\b(?:FROM|JOIN|INTO|UPDATE)\s+"?(?:account|external_account|api_key)\b/;

  async function countStatements<T>(run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const db = (await testPlatform()).deps!.db;
    const statements: string[] = [];
    // The platform's background workers poll meanwhile, and raw statements are observed too:
    // count those on the accounts module's tables, which only the request reads.
    const stop = db.observeStatements((sql) => void (ACCOUNTS_TABLES.test(sql) && statements.push(sql)));
    try {
      return { result: await run(), statements };
    } finally {
      stop();
    }
  }

  it("reads 100 connected accounts with their bank accounts in a bounded number of statements", async () => {
    await ok(ConnectedAccountsWithBanksDocument, { first: 1 }, tenant.key); // the gateway caches the key lookup
    const { result, statements } = await countStatements(() => ok(ConnectedAccountsWithBanksDocument, { first: 100 }, tenant.key));
    const edges = result.viewer.connectedAccounts.edges;
    expect(edges).toHaveLength(100);
    expect(new Set(edges.map((edge) => edge.node.id))).toEqual(new Set(accountIds));
    expect(edges.every((edge) => edge.node.externalAccounts.length >= 1 && edge.node.platform?.id === tenant.accountId)).toBe(true);
    expect(edges.reduce((sum, edge) => sum + edge.node.externalAccounts.length, 0)).toBe(110);
    // viewer (1), its connected accounts (1), all their bank accounts (1); `platform` is the
    // viewer, already loaded in this request.
    expect(statements.filter((sql) => /\bexternal_account\b/.test(sql))).toHaveLength(1);
    expect(statements.length).toBeLessThanOrEqual(3);
  });

  it("resolves a batch of 100 Account references through _entities with one statement", async () => {
    const principal: Principal = { kind: "platform", tenantId: tenant.accountId, livemode: false, keyId: "key_x" };
    const { result, statements } = await countStatements(() =>
      entities(
        principal,
        accountIds.map((id) => ({ __typename: "Account", id })),
        "... on Account { id displayName }",
      ),
    );
    expect(result.data._entities.map((entity) => entity?.["id"])).toEqual(accountIds);
    expect(statements).toHaveLength(1);
  });

  it("resolves a batch of bank account references, with their accounts, in two statements", async () => {
    const db = (await testPlatform()).deps!.db;
    const banks = await db.prisma.externalAccount.findMany({ where: { tenantId: tenant.accountId }, select: { id: true } });
    const principal: Principal = { kind: "platform", tenantId: tenant.accountId, livemode: false, keyId: "key_x" };
    const { result, statements } = await countStatements(() =>
      entities(
        principal,
        banks.map(({ id }) => ({ __typename: "ExternalAccount", id })),
        "... on ExternalAccount { id account { id } }",
      ),
    );
    expect(result.data._entities).toHaveLength(110);
    expect(result.data._entities.every((entity) => entity !== null)).toBe(true);
    expect(statements).toHaveLength(2);
  });
});
