// Replaying captured gateway traffic against a subgraph's HTTP endpoint. A proxy between a
// gateway and the accounts subgraph records real signed requests; the tests replay their headers
// and body, as someone on the internal network could, with something else for the subgraph to
// run. The signature covers the operation in the body: the subgraph must run that operation or
// nothing (POST only: a GET runs the query in its URL, which no signature covers).

import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import type { RunningGateway } from "../gateway/server.ts";
import { newPlatform, request, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { rawRequest, type RawAnswer } from "./support/raw-http.ts";
import { RecordingProxy, type RecordedRequest } from "./support/recording-proxy.ts";
import { extraGateway } from "./support/subscriptions.ts";

let platform: RunningPlatform;
let proxy: RecordingProxy;
let gateway: RunningGateway;
let alice: TestTenant;
let accountsUrl: string;

const HIDDEN = "Hidden Seller";
/** What a replay would like to read: the tenant's connected accounts. */
const LEAK = "{ viewer { id connectedAccounts(first: 10) { edges { node { displayName } } } } }";
const AUTHENTICATE_ORACLE = "query($s: String!) { _authenticate(secret: $s) { tenantId } }";

beforeAll(async () => {
  platform = await testPlatform();
  accountsUrl = platform.subgraphs.find((subgraph) => subgraph.name === "accounts")!.url;
  proxy = await RecordingProxy.start(accountsUrl);
  // No key cache: every request's key lookup crosses the proxy, to be captured too.
  gateway = await extraGateway(platform, { AUTH_CACHE_TTL_MS: 0, subgraphUrls: { ...platform.config.subgraphUrls, accounts: proxy.url } });
  alice = await newPlatform("Replay Alice");
  const created = await request(
    "mutation($input: CreateConnectedAccountInput!, $key: String!) { createConnectedAccount(input: $input, idempotencyKey: $key) { id } }",
    { input: { displayName: HIDDEN, country: "US", defaultCurrency: "USD" }, key: randomUUID() },
    { key: alice.key },
  );
  expect(created.errors).toBeUndefined();
});

afterAll(async () => {
  await gateway?.stop();
  await proxy?.stop();
});

/** Sends `{ viewer { id } }` as alice through the recording gateway; returns what reached accounts. */
async function capture(): Promise<{ viewer: RecordedRequest; authenticate: RecordedRequest }> {
  const before = proxy.requests.length;
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${alice.key}` },
    body: JSON.stringify({ query: "{ viewer { id } }" }),
  });
  expect(response.status).toBe(200);
  const sent = proxy.requests.slice(before);
  const authenticate = sent.find((recorded) => recorded.body.includes("_authenticate"));
  const viewer = sent.find((recorded) => !recorded.body.includes("_authenticate"));
  if (!viewer || !authenticate) throw new Error(`expected the gateway's key lookup and its viewer fetch, got ${sent.length} requests`);
  return { viewer, authenticate };
}

/** The captured request again, straight to the subgraph: same headers and body, another method and URL. */
function replay(
  recorded: RecordedRequest,
  options: { method?: string; search?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const url = new URL(accountsUrl);
  for (const [name, value] of Object.entries(options.search ?? {})) url.searchParams.set(name, value);
  const headers = { ...recorded.headers };
  delete headers["host"];
  delete headers["content-length"];
  delete headers["connection"];
  return rawRequest(url.toString(), { method: options.method ?? recorded.method, headers, body: options.body ?? recorded.body });
}

function dataOf(answer: RawAnswer): unknown {
  try {
    return (JSON.parse(answer.text) as { data?: unknown }).data;
  } catch {
    return undefined;
  }
}

describe("a captured subgraph request replayed", () => {
  it("runs again as captured, unchanged, within the signature's lifetime (the control)", async () => {
    const { viewer } = await capture();
    const answer = await replay(viewer);
    expect(answer.status).toBe(200);
    expect(dataOf(answer)).toEqual({ viewer: { id: alice.accountId } });
  });

  it("as a GET with another query in the URL is refused, and that query is not run", async () => {
    const { viewer } = await capture();
    const answer = await replay(viewer, { method: "GET", search: { query: LEAK } });
    expect(answer.status).toBe(405);
    expect(answer.headers["allow"]).toBe("POST");
    expect(dataOf(answer)).toBeUndefined();
    expect(answer.text).not.toContain(HIDDEN);
  });

  it("does not make _authenticate an oracle for keys", async () => {
    const { authenticate } = await capture();
    const answer = await replay(authenticate, {
      method: "GET",
      search: { query: AUTHENTICATE_ORACLE, variables: JSON.stringify({ s: alice.key }) },
    });
    expect(answer.status).toBe(405);
    expect(dataOf(answer)).toBeUndefined();
    expect(answer.text).not.toContain(alice.accountId);
  });
});

describe("the subgraph runs exactly what was signed", () => {
  it.each([
    ["a GET carrying the signed query itself in the URL", (body: { query: string }) => ({ method: "GET", search: { query: body.query } })],
    [
      "a GET with the signed query and other variables",
      (body: { query: string }) => ({ method: "GET", search: { query: body.query, variables: '{"x":1}' } }),
    ],
    [
      "a GET with the signed query and another operation name",
      (body: { query: string }) => ({ method: "GET", search: { query: body.query, operationName: "Other" } }),
    ],
    ["a PUT with the signed body", () => ({ method: "PUT" })],
  ])("refuses %s", async (_what, change) => {
    const { viewer } = await capture();
    const answer = await replay(viewer, change(JSON.parse(viewer.body) as { query: string }));
    expect(answer.status).toBe(405);
    expect(dataOf(answer)).toBeUndefined();
  });

  it("runs a POST's signed body, never a query in its URL", async () => {
    const { viewer } = await capture();
    const answer = await replay(viewer, { search: { query: LEAK } });
    expect(answer.status).toBe(200);
    expect(dataOf(answer)).toEqual({ viewer: { id: alice.accountId } });
    expect(answer.text).not.toContain(HIDDEN);
  });

  it("refuses the signed body with any change to its query (not even whitespace)", async () => {
    const { viewer } = await capture();
    const body = JSON.parse(viewer.body) as { query: string };
    const answer = await replay(viewer, { body: JSON.stringify({ ...body, query: `${body.query} ` }) });
    expect(answer.status).toBe(401);
    expect(dataOf(answer)).toBeUndefined();
  });

  it("refuses a signed body that asks for a persisted query instead", async () => {
    const { viewer } = await capture();
    const body = JSON.parse(viewer.body) as Record<string, unknown>;
    const hash = createHash("sha256").update(String(body["query"])).digest("hex");
    // Signed query and a persisted-query hash: the hash would register the query for later
    // hash-only requests, which no signature could then cover.
    const answer = await replay(viewer, {
      body: JSON.stringify({ ...body, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    // Apollo's persisted-query protocol answers this with 200 and the error; nothing ran.
    expect(dataOf(answer)).toBeUndefined();
    expect((JSON.parse(answer.text) as { errors: { extensions: { reason?: string } }[] }).errors[0]!.extensions.reason).toBe(
      "PERSISTED_QUERY_NOT_SUPPORTED",
    );
  });
});
