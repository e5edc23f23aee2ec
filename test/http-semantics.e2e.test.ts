// What a client can rely on from the gateway's HTTP answers (GraphQL over HTTP): a client's
// mistake is a 4xx with a typed code, never a 5xx; whatever the schema advertises can be
// introspected; subscriptions say where they are served.

import { beforeAll, describe, expect, it } from "vitest";
import { gatewayUrl, newPlatform, type TestTenant } from "./support/client.ts";

let alice: TestTenant;

beforeAll(async () => {
  alice = await newPlatform("HTTP Semantics");
});

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string; reason?: string } }[] };
}

async function post(body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(await gatewayUrl(), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${alice.key}`, ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

const codes = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.extensions?.code);

describe("client mistakes: 4xx with BAD_USER_INPUT, never 5xx", () => {
  it.each([
    ["an unparsable operation", 400, { query: "{ viewer { id " }],
    ["an invalid operation", 400, { query: "{ viewer { nope } }" }],
    ["too many tokens", 400, { query: `{ viewer { id ${"__typename ".repeat(2_100)} } }` }],
    ["two operations and no operationName", 400, { query: "query A { viewer { id } } query B { viewer { id } }" }],
    ["an operationName the document does not have", 400, { query: "query A { viewer { id } }", operationName: "B" }],
    [
      "a variable of the wrong type",
      400,
      { query: "query($first: Int) { viewer { connectedAccounts(first: $first) { edges { cursor } } } }", variables: { first: "ten" } },
    ],
    ["a subscription over plain HTTP", 400, { query: `subscription { balanceChanged(accountId: "acct_x") { id } }` }],
  ])("answers %s with %i", async (_what, status, body) => {
    const answer = await post(JSON.stringify(body));
    expect(answer.status).toBe(status);
    expect(codes(answer)).toEqual(["BAD_USER_INPUT"]);
    expect(answer.body.data ?? null).toBeNull();
  });

  it("says where subscriptions are served", async () => {
    const answer = await post(JSON.stringify({ query: `subscription { balanceChanged(accountId: "acct_x") { id } }` }));
    expect(answer.body.errors?.[0]?.message).toMatch(/graphql-ws/);
  });

  it("answers the same statuses to a client that accepts only application/json", async () => {
    const answer = await post(JSON.stringify({ query: "{ viewer { nope } }" }), { accept: "application/json" });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(["BAD_USER_INPUT"]);
  });

  it.each([
    ["a body that is not JSON", "{ not json"],
    ["a batch", JSON.stringify([{ query: "{ viewer { id } }" }])],
  ])("refuses %s with 400", async (_what, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(["BAD_USER_INPUT"]);
  });

  it("refuses a mutation over GET with 405", async () => {
    const response = await fetch(`${await gatewayUrl()}?query=${encodeURIComponent("mutation { __typename }")}`, {
      headers: { authorization: `Bearer ${alice.key}` },
    });
    expect(response.status).toBe(405);
    const body = (await response.json()) as Answer["body"];
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("the runtime's probe", () => {
  // Hive Gateway's runtime answers its readiness check on /readiness, matched through the
  // URLPattern the gateway gives it (gateway/url-pattern.ts): that path and no other.
  it("answers /readiness, and not a path that only resembles it", async () => {
    const base = (await gatewayUrl()).replace(/\/graphql$/, "");
    const status = async (path: string) => (await fetch(`${base}${path}`)).status;
    expect(await status("/readiness")).toBe(200);
    expect(await status("/readiness?probe=1")).toBe(200);
    for (const path of ["/Readiness", "/readiness/", "/%72eadiness", "/readiness/x"]) expect(await status(path), path).toBe(404);
  });
});

describe("introspection", () => {
  it("answers every field the schema advertises, isOneOf included, without a key", async () => {
    const response = await fetch(await gatewayUrl(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query:
          "{ __schema { types { name kind isOneOf specifiedByURL fields(includeDeprecated: true) { name isDeprecated } } directives { name isRepeatable } } }",
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: { __schema: { types: { name: string; isOneOf: boolean | null }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.__schema.types.find((type) => type.name === "CreateTransferInput")?.isOneOf).toBe(false);
  });
});
