// Errors a client can act on, over the public surfaces (HTTP and graphql-ws at the gateway, and
// HTTP at a subgraph): bodies that cannot be read, requests that name no runnable operation, and
// refusals that must not describe the schema or our internals.

import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import { signPrincipal } from "../subgraphs/shared/auth/signature.ts";
import { BalanceChangedIdsDocument } from "./generated/graphql.ts";
import { newPlatform, type GraphQLErrorJson, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { connect, Recorder, type TestWsClient } from "./support/subscriptions.ts";

let platform: RunningPlatform;
let alice: TestTenant;
let bob: TestTenant;
const sockets: TestWsClient[] = [];

beforeAll(async () => {
  platform = await testPlatform();
  [alice, bob] = await Promise.all([newPlatform("Alice Errors"), newPlatform("Bob Errors")]);
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
});

interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  errors: GraphQLErrorJson[];
  data: unknown;
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: body as unknown as BodyInit,
  });
  const text = await response.text();
  let parsed: { errors?: GraphQLErrorJson[]; data?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Left empty: the assertions on contentType and errors say what was wrong.
  }
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text,
    errors: parsed.errors ?? [],
    data: parsed.data,
  };
}

const gateway = () => platform.gateway!.url;
const subgraph = (name: string) => platform.subgraphs.find((each) => each.name === name)!.url;
const asAlice = () => ({ authorization: `Bearer ${alice.key}` });
const VIEWER = JSON.stringify({ query: "{ viewer { id } }" });

/** No HTML page, no stack frame, no file path: only a GraphQL error. */
function expectCleanJson(answer: RawAnswer): void {
  expect(answer.contentType).toMatch(/^application\/(graphql-response\+)?json/);
  expect(answer.text).not.toMatch(/<html|<pre|\bat \w|node_modules|\/work\/|\.ts:\d|\.js:\d/i);
}

describe("request bodies that cannot be read answer GraphQL JSON, not an HTML stack", () => {
  const oversized = JSON.stringify({ query: `{ viewer { id } }\n#${"x".repeat(2_000_000)}` });
  const cases: [string, () => string | Buffer, Record<string, string>, number, string][] = [
    ["gzip that does not inflate", () => Buffer.from("this is not gzip"), { "content-encoding": "gzip" }, 400, "BODY_UNREADABLE"],
    ["truncated gzip", () => gzipSync(VIEWER).subarray(0, 12), { "content-encoding": "gzip" }, 400, "BODY_UNREADABLE"],
    ["an unsupported charset", () => VIEWER, { "content-type": "application/json; charset=klingon" }, 415, "UNSUPPORTED_CHARSET"],
    ["an unsupported content encoding", () => VIEWER, { "content-encoding": "compress" }, 415, "UNSUPPORTED_ENCODING"],
    ["malformed JSON", () => '{ "query": ', {}, 400, "BODY_NOT_JSON"],
  ];
  // The gateway's own bound (a subgraph's is larger: it takes the gateway's entity batches).
  const oversizedCases: typeof cases = [
    ["a declared length beyond MAX_QUERY_BYTES", () => oversized, {}, 413, "BODY_TOO_LARGE"],
    ["gzip that inflates beyond MAX_QUERY_BYTES", () => gzipSync(oversized), { "content-encoding": "gzip" }, 413, "BODY_TOO_LARGE"],
  ];

  it.each([...cases, ...oversizedCases])("at the gateway: %s", async (_what, body, headers, status, reason) => {
    const answer = await post(gateway(), body(), { ...asAlice(), ...headers });
    expect(answer.status).toBe(status);
    expectCleanJson(answer);
    expect(answer.errors).toEqual([
      { message: expect.any(String), extensions: { code: "BAD_USER_INPUT", reason, requestId: expect.any(String) } },
    ]);
  });

  it.each(cases)("at a subgraph (before its signature check): %s", async (_what, body, headers, status, reason) => {
    const answer = await post(subgraph("accounts"), body(), headers);
    expect(answer.status).toBe(status);
    expectCleanJson(answer);
    expect(answer.errors).toEqual([{ message: expect.any(String), extensions: { code: "BAD_USER_INPUT", reason } }]);
  });

  it("still reads a well-formed gzip body (the positive control)", async () => {
    const answer = await post(gateway(), gzipSync(VIEWER), { ...asAlice(), "content-encoding": "gzip" });
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ viewer: { id: alice.accountId } });
  });
});

describe("client mistakes are 4xx with BAD_USER_INPUT, not 500", () => {
  const tooManyTokens = `{ viewer { ${"id ".repeat(2_500)} } }`;
  const twoOperations = "query A { viewer { id } } query B { viewer { displayName } }";
  // A persisted-query hash that is not the sha256 of the query sent with it.
  const wrongHash = { version: 1, sha256Hash: "0".repeat(64) };

  it.each([
    ["more tokens than the limit", { query: tooManyTokens }, "GRAPHQL_PARSE_FAILED", /2000 tokens/],
    ["several operations without operationName", { query: twoOperations }, "OPERATION_RESOLUTION_FAILURE", /operationName/],
    ["an operationName the document does not hold", { query: twoOperations, operationName: "C" }, "OPERATION_RESOLUTION_FAILURE", /"C"/],
    [
      "a persisted-query hash that does not match the query",
      { query: "{ viewer { id } }", extensions: { persistedQuery: wrongHash } },
      "BAD_REQUEST",
      /sha/,
    ],
  ])("%s: 400", async (_what, body, reason, message) => {
    for (const accept of ["application/json", "application/graphql-response+json"]) {
      const answer = await post(gateway(), JSON.stringify(body), { ...asAlice(), accept });
      expect(answer.status, accept).toBe(400);
      expectCleanJson(answer);
      expect(answer.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(message),
          extensions: { code: "BAD_USER_INPUT", reason, requestId: expect.any(String) },
        }),
      ]);
      expect(answer.data ?? null).toBeNull();
    }
  });

  it("runs the named operation of several (the positive control)", async () => {
    const answer = await post(gateway(), JSON.stringify({ query: twoOperations, operationName: "A" }), asAlice());
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ viewer: { id: alice.accountId } });
  });

  it("refuses the same mistakes over graphql-ws with the same code", async () => {
    const socket = connect(gateway(), alice.key);
    sockets.push(socket);
    for (const [query, operationName] of [
      [tooManyTokens, undefined],
      [twoOperations, undefined],
      [twoOperations, "C"],
    ] as const) {
      // Refused before execution: an `error` message; refused by the pipeline: a result with errors.
      const errors = await new Promise<GraphQLErrorJson[]>((resolve) => {
        socket.client.subscribe(
          { query, ...(operationName ? { operationName } : {}) },
          {
            next: (result) => resolve((result.errors ?? []) as GraphQLErrorJson[]),
            error: (error) => resolve(error as GraphQLErrorJson[]),
            complete: () => resolve([]),
          },
        );
      });
      expect(
        errors.map((error) => error.extensions?.code),
        query.slice(0, 40),
      ).toEqual(["BAD_USER_INPUT"]);
    }
  });
});

describe("refusals suggest nothing about the schema", () => {
  const SUGGESTION = /did you mean|suggestion/i;
  const payouts = (status: string) => `{ viewer { payouts(status: ${status}) { edges { node { id } } } } }`;

  it("an enum value given literally", async () => {
    const answer = await post(gateway(), JSON.stringify({ query: payouts("PAI") }), asAlice());
    expect(answer.status).toBe(400);
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors[0]!.extensions?.code).toBe("BAD_USER_INPUT");
    expect(answer.errors[0]!.message).toMatch(/"PAI"/);
    expect(answer.errors[0]!.message).not.toMatch(SUGGESTION);
    expect(answer.errors[0]!.message).not.toMatch(/PAID/);
  });

  it("an enum value given in a variable", async () => {
    const query = "query Q($s: PayoutStatus) { viewer { payouts(status: $s) { edges { node { id } } } } }";
    const answer = await post(gateway(), JSON.stringify({ query, variables: { s: "PAI" } }), asAlice());
    expect(answer.status).toBe(400);
    expect(answer.errors.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(answer.errors[0]!.message).toMatch(/"PAI"/);
    expect(answer.errors[0]!.message).not.toMatch(SUGGESTION);
    expect(answer.errors[0]!.message).not.toMatch(/PAID/);
  });

  it("a misspelled field (without a masked placeholder either)", async () => {
    const answer = await post(gateway(), JSON.stringify({ query: "{ viewer { payout { id } } }" }), asAlice());
    expect(answer.status).toBe(400);
    expect(answer.errors[0]!.message).toMatch(/"payout"/);
    expect(answer.errors[0]!.message).not.toMatch(SUGGESTION);
    expect(answer.errors[0]!.message).not.toMatch(/payouts/);
  });

  it("an enum value over graphql-ws", async () => {
    const socket = connect(gateway(), alice.key);
    sockets.push(socket);
    const errors = await new Promise<GraphQLErrorJson[]>((resolve) => {
      socket.client.subscribe(
        { query: payouts("PAI") },
        {
          next: (result) => resolve((result.errors ?? []) as GraphQLErrorJson[]),
          error: (error) => resolve(error as GraphQLErrorJson[]),
          complete: () => {},
        },
      );
    });
    expect(errors.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(errors[0]!.message).not.toMatch(SUGGESTION);
    expect(errors[0]!.message).not.toMatch(/PAID/);
  });

  it("an enum value at a subgraph, signed by the gateway", async () => {
    const operation = {
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { payouts(status: PAI) { edges { node { id } } } } } }`,
      variables: { r: [{ __typename: "Account", id: alice.accountId }] },
    };
    const principal = { kind: "platform", tenantId: alice.accountId, livemode: false, keyId: "k" } as const;
    const answer = await post(
      subgraph("payouts"),
      JSON.stringify(operation),
      signPrincipal(principal, platform.config.gatewaySecret, operation),
    );
    expect(answer.status).toBe(400);
    expect(answer.errors.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(answer.errors[0]!.message).toMatch(/"PAI"/);
    expect(answer.errors[0]!.message).not.toMatch(SUGGESTION);
    expect(answer.errors[0]!.message).not.toMatch(/PAID/);
  });
});

describe("a refused balanceChanged subscription", () => {
  it("names the client's field in its path, not the gateway's internal query", async () => {
    const socket = connect(gateway(), alice.key);
    sockets.push(socket);
    const plain = new Recorder(socket.client, BalanceChangedIdsDocument, { accountId: bob.accountId });
    const aliased = new Recorder(socket.client, "subscription ($id: ID!) { feed: balanceChanged(accountId: $id) { id } }", {
      id: bob.accountId,
    });
    await Promise.all([plain.ended(), aliased.ended()]);
    for (const [stream, path] of [
      [plain, ["balanceChanged"]],
      [aliased, ["feed"]],
    ] as const) {
      const errors = stream.results.flatMap((result) => result.errors ?? []) as GraphQLErrorJson[];
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ path, extensions: { code: "NOT_FOUND" } });
      expect(JSON.stringify(errors[0])).not.toMatch(/_latestBalanceEvent|GatewayPosition/);
      expect(stream.data).toEqual([]);
    }
  });
});
