// The foundation's promises, end to end through the real gateway over HTTP.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signPrincipal } from "../subgraphs/shared/auth/signature.ts";
import { AccountByIdDocument, CreatePlatformDocument, ViewerDocument, ViewerEverywhereDocument } from "./generated/graphql.ts";
import { codes, gatewayUrl, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { ADMIN_API_KEY, testPlatform } from "./support/platform.ts";

let alice: TestTenant;
let bob: TestTenant;

beforeAll(async () => {
  await testPlatform();
  [alice, bob] = await Promise.all([newPlatform("Alice Platform"), newPlatform("Bob Platform")]);
});

describe("viewer", () => {
  it("answers with data from two subgraphs (accounts and balances)", async () => {
    const data = await ok(ViewerDocument, {}, alice.key);
    expect(data.viewer).toMatchObject({
      id: alice.accountId,
      displayName: "Alice Platform",
      type: "PLATFORM",
      status: "ACTIVE",
      payoutsEnabled: true,
      livemode: false,
      defaultCurrency: "USD",
    });
    expect(data.viewer.balances).toEqual([]);
  });

  it("reaches every subgraph's Account fields in one query", async () => {
    const data = await ok(ViewerEverywhereDocument, {}, alice.key);
    expect(data.viewer.connectedAccounts.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
    expect(data.viewer.balanceTransactions.edges).toEqual([]);
    expect(data.viewer.payouts.edges).toEqual([]);
    expect(data.viewer.cryptoWallets).toEqual([]);
  });
});

describe("authentication at the gateway", () => {
  it("refuses a request without a key", async () => {
    const result = await request(ViewerDocument, {});
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(["UNAUTHENTICATED"]);
    expect(result.data ?? null).toBeNull();
  });

  it.each([
    ["a well-formed key that does not exist", "sk_test_0000000000000000000000000000000a"],
    ["garbage", "not-a-key"],
    ["a key with a trailing character", "sk_test_0000000000000000000000000000000a!"],
  ])("refuses %s", async (_what, key) => {
    const result = await request(ViewerDocument, {}, { key });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a malformed Authorization header", async () => {
    const result = await request(ViewerDocument, {}, { headers: { authorization: `Basic ${alice.key}` } });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(["UNAUTHENTICATED"]);
  });

  it("lets introspection through without a key, so Apollo Sandbox can load the schema", async () => {
    const result = await request("{ __schema { queryType { name } } }");
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it("does not let a key-less request hide data fields behind introspection", async () => {
    const result = await request("{ __typename viewer { id } }");
    expect(codes(result)).toEqual(["UNAUTHENTICATED"]);
  });

  it("hides the internal key check from the client API", async () => {
    const result = await request('{ _authenticate(secret: "x") { tenantId } }', undefined, { key: alice.key });
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.data ?? null).toBeNull();
  });
});

describe("tenancy", () => {
  it("lets a platform read its own account", async () => {
    const data = await ok(AccountByIdDocument, { id: alice.accountId }, alice.key);
    expect(data.account?.id).toBe(alice.accountId);
  });

  it("answers NOT_FOUND for another platform's account, exactly as for an unknown id", async () => {
    const foreign = await request(AccountByIdDocument, { id: bob.accountId }, { key: alice.key });
    const unknown = await request(AccountByIdDocument, { id: "acct_doesnotexist000000000000" }, { key: alice.key });
    expect(codes(foreign)).toEqual(["NOT_FOUND"]);
    expect(codes(unknown)).toEqual(["NOT_FOUND"]);
    expect(foreign.data).toEqual({ account: null });
    expect(foreign.errors?.[0]?.message.replace(bob.accountId, "ID")).toBe(
      unknown.errors?.[0]?.message.replace("acct_doesnotexist000000000000", "ID"),
    );
  });
});

describe("createPlatform", () => {
  it("is for the operator key only", async () => {
    const input = { displayName: "Sneaky", country: "US", defaultCurrency: "USD" };
    const result = await request(CreatePlatformDocument, { input }, { key: alice.key });
    expect(codes(result)).toEqual(["FORBIDDEN"]);
  });

  it("gives the operator no access to platform data", async () => {
    const result = await request(ViewerDocument, {}, { key: ADMIN_API_KEY });
    expect(codes(result)).toEqual(["FORBIDDEN"]);
  });

  it("returns a working secret key, shown once and stored only as a hash", async () => {
    const { key, accountId } = await newPlatform("Keyed");
    expect(key).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    const platform = await testPlatform();
    const stored = await platform.deps!.db.prisma.apiKey.findMany({ where: { accountId, livemode: false } });
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(stored[0]!.redacted).toBe(`${key.slice(0, 8)}…${key.slice(-4)}`);
    expect((await ok(ViewerDocument, {}, key)).viewer.id).toBe(accountId);
  });

  it.each([
    [{ displayName: "X", country: "XX", defaultCurrency: "USD" }, "BAD_USER_INPUT"],
    [{ displayName: "X", country: "us", defaultCurrency: "USD" }, "BAD_USER_INPUT"],
    [{ displayName: "X", country: "US", defaultCurrency: "XYZ" }, "BAD_USER_INPUT"],
    [{ displayName: "X", country: "US", defaultCurrency: "usd" }, "BAD_USER_INPUT"],
    [{ displayName: "   ", country: "US", defaultCurrency: "USD" }, "BAD_USER_INPUT"],
    [{ displayName: "x".repeat(201), country: "US", defaultCurrency: "USD" }, "BAD_USER_INPUT"],
  ])("refuses %o with %s and writes nothing", async (input, code) => {
    const platform = await testPlatform();
    // Only accounts this request could have written: on Postgres other suites create accounts
    // in the same database at the same time, so a global count is not this test's to assert.
    const mine = { where: { displayName: input.displayName } };
    const before = await platform.deps!.db.prisma.account.count(mine);
    const result = await request(CreatePlatformDocument, { input }, { key: ADMIN_API_KEY });
    expect(codes(result)).toEqual([code]);
    expect(await platform.deps!.db.prisma.account.count(mine)).toBe(before);
  });
});

describe("the subgraphs' trust boundary", () => {
  const VIEWER = { query: "{ viewer { id } }" };
  const entities = {
    query: "query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { id displayName } } }",
  };

  async function postToSubgraph(headers: Record<string, string>, body: unknown) {
    const platform = await testPlatform();
    const accounts = platform.subgraphs.find((subgraph) => subgraph.name === "accounts")!;
    return fetch(accounts.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  }

  it("refuses a request that did not come through the gateway", async () => {
    const response = await postToSubgraph({}, { ...entities, variables: { r: [{ __typename: "Account", id: alice.accountId }] } });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.extensions.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a signature made with another secret", async () => {
    const principal = { kind: "platform", tenantId: alice.accountId, livemode: false, keyId: "key_x" } as const;
    const response = await postToSubgraph(signPrincipal(principal, "a".repeat(64), VIEWER), VIEWER);
    expect(response.status).toBe(401);
  });

  it("refuses a stale signature", async () => {
    const platform = await testPlatform();
    const principal = { kind: "platform", tenantId: alice.accountId, livemode: false, keyId: "key_x" } as const;
    const stale = signPrincipal(principal, platform.config.gatewaySecret, VIEWER, Date.now() - 10 * 60_000);
    const response = await postToSubgraph(stale, VIEWER);
    expect(response.status).toBe(401);
  });

  it("refuses a principal swapped under a valid signature", async () => {
    const platform = await testPlatform();
    const signed = signPrincipal(
      { kind: "platform", tenantId: alice.accountId, livemode: false, keyId: "k" },
      platform.config.gatewaySecret,
      VIEWER,
    );
    const forged = Buffer.from(JSON.stringify({ kind: "platform", tenantId: bob.accountId, livemode: false, keyId: "k" })).toString(
      "base64url",
    );
    const response = await postToSubgraph({ ...signed, "x-mg-principal": forged }, VIEWER);
    expect(response.status).toBe(401);
  });

  it("refuses a valid signature carried over to another operation, or to other variables", async () => {
    const platform = await testPlatform();
    const principal = { kind: "platform", tenantId: alice.accountId, livemode: false, keyId: "k" } as const;
    const aliceOnly = { ...entities, variables: { r: [{ __typename: "Account", id: alice.accountId }] } };
    const signed = signPrincipal(principal, platform.config.gatewaySecret, aliceOnly);
    // The positive control: the operation it was signed for.
    expect((await postToSubgraph(signed, aliceOnly)).status).toBe(200);
    const otherVariables = { ...entities, variables: { r: [{ __typename: "Account", id: bob.accountId }] } };
    expect((await postToSubgraph(signed, otherVariables)).status).toBe(401);
    expect((await postToSubgraph(signed, VIEWER)).status).toBe(401);
    expect((await postToSubgraph(signed, { ...aliceOnly, operationName: "Other" })).status).toBe(401);
  });

  it("scopes _entities by the signed principal: another tenant's account resolves to null", async () => {
    const platform = await testPlatform();
    const operation = {
      ...entities,
      variables: {
        r: [
          { __typename: "Account", id: alice.accountId },
          { __typename: "Account", id: bob.accountId },
        ],
      },
    };
    const headers = signPrincipal(
      { kind: "platform", tenantId: alice.accountId, livemode: false, keyId: "k" },
      platform.config.gatewaySecret,
      operation,
    );
    const response = await postToSubgraph(headers, operation);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { _entities: ({ id: string } | null)[] } };
    expect(body.data._entities).toEqual([{ id: alice.accountId, displayName: "Alice Platform" }, null]);
  });
});

describe("limits and hostile input", () => {
  it("refuses a query nested deeper than the limit", async () => {
    const nested = "platform { ".repeat(20) + "id" + " }".repeat(20);
    const result = await request(`{ viewer { ${nested} } }`, undefined, { key: alice.key });
    expect(codes(result).length).toBeGreaterThan(0);
    expect(new Set(codes(result))).toEqual(new Set(["BAD_USER_INPUT"]));
    expect(result.errors?.map((error) => error.message).join(" ")).toMatch(/depth/i);
    expect(result.data ?? null).toBeNull();
  });

  it("refuses an oversized request body with 413", async () => {
    const result = await fetch(await gatewayUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice.key}` },
      body: JSON.stringify({ query: `{ viewer { id } }\n#${"x".repeat(100_000)}` }),
    });
    expect(result.status).toBe(413);
    const body = (await result.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe("BAD_USER_INPUT");
  });

  it("refuses too many aliases", async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: viewer { id }`).join(" ");
    const result = await request(`{ ${aliases} }`, undefined, { key: alice.key });
    expect(codes(result)[0]).toBe("BAD_USER_INPUT");
  });

  it("answers a syntax error with BAD_USER_INPUT", async () => {
    const result = await request("{ viewer { id ", undefined, { key: alice.key });
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("operations endpoints", () => {
  it("serves an explorer that works offline to a browser, with Apollo Sandbox a link away", async () => {
    const response = await fetch(await gatewayUrl(), { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/GraphiQL/);
    expect(html).toContain("https://studio.apollographql.com/sandbox/explorer?endpoint=");
    // Bundled in the page: nothing loaded from elsewhere.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/i);
  });

  it("reports liveness and readiness (supergraph loaded, subgraphs reachable)", async () => {
    const base = (await gatewayUrl()).replace(/\/graphql$/, "");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      supergraph: "loaded",
      subgraphs: { accounts: "ready", balances: "ready", payouts: "ready", crypto: "ready" },
    });
  });
});

afterAll(() => {
  // The platform is shared by this worker's e2e files; the worker's exit stops it.
});
