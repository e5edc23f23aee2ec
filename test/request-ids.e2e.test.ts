// Request ids and the access log, through the real gateway over real HTTP and graphql-ws: a
// platform of this file's own (subgraphs logging at debug, the gateway at info, every line
// captured), with key lookups going through a proxy that can play an outage of the accounts
// subgraph.
//
//   - Every response has x-request-id: the client's own when it is a short token, else a new
//     UUID, never the unsafe value echoed or logged; every error carries it in
//     extensions.requestId, whoever answered (GraphQL, or a plugin before it: 401, 413, 429, 503).
//   - The gateway logs one line per request (never the key); the subgraphs' lines for it carry
//     the same id, over HTTP and graphql-ws.
//   - An authentication outage is logged once when it starts and once when it ends.

import { randomBytes } from "node:crypto";
import { createClient, type Client, type FormattedExecutionResult } from "graphql-ws";
import { pino } from "pino";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlatform, type RunningPlatform } from "../cmd/platform.ts";
import { startGateway, type RunningGateway } from "../gateway/server.ts";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { MAX_REQUEST_ID_LENGTH } from "../subgraphs/shared/request-id.ts";
import { commitSeries } from "./support/balance-events.ts";
import type { GraphQLErrorJson } from "./support/client.ts";
import { testDatabase } from "./support/database.ts";
import { ADMIN_API_KEY, testConfig } from "./support/platform.ts";
import { loopbackAddress, rawRequest } from "./support/raw-http.ts";
import { RecordingProxy } from "./support/recording-proxy.ts";
import { positioned, until, wsUrl } from "./support/subscriptions.ts";

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  err?: { stack?: string };
  [key: string]: unknown;
}

interface Capture {
  readonly lines: LogLine[];
  readonly raw: string[];
}

function capture(level: string): Capture & { logger: pino.Logger } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const logger = pino(
    { level, base: undefined },
    {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  return { lines, raw, logger };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RATE_LIMIT_PER_SECOND = 20;

const gatewayLog = capture("info");
const subgraphLog = capture("debug");
let platform: RunningPlatform | undefined;
let gateway: RunningGateway | undefined;
let proxy: RecordingProxy | undefined;
let alice: { key: string; accountId: string };
const sockets: Client[] = [];

interface Answer {
  status: number;
  requestId: string | undefined;
  data: Record<string, unknown> | null | undefined;
  errors: GraphQLErrorJson[] | undefined;
}

/** A POST to our gateway (raw: fetch would refuse some of the headers sent here). */
async function post(body: unknown, headers: Record<string, string> = {}, from?: string): Promise<Answer> {
  const answer = await rawRequest(gateway!.url, {
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(from ? { from } : {}),
  });
  const json = (answer.text ? JSON.parse(answer.text) : {}) as { data?: Record<string, unknown> | null; errors?: GraphQLErrorJson[] };
  const requestId = answer.headers["x-request-id"];
  return { status: answer.status, requestId: typeof requestId === "string" ? requestId : undefined, data: json.data, errors: json.errors };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const VIEWER = { query: "query Viewer { viewer { id } }" };

async function newTenant(name: string): Promise<{ key: string; accountId: string }> {
  const created = await post(
    {
      query: `mutation ($key: String!) { createPlatform(idempotencyKey: $key, input: { displayName: "${name}", country: "US", defaultCurrency: "USD" }) { secretKey account { id } } }`,
      variables: { key: `platform-${randomBytes(8).toString("hex")}` },
    },
    bearer(ADMIN_API_KEY),
  );
  const { secretKey, account } = (created.data as { createPlatform: { secretKey: string; account: { id: string } } }).createPlatform;
  return { key: secretKey, accountId: account.id };
}

/** The gateway's access line of a request (written before its response leaves). */
function accessLine(requestId: string): LogLine {
  const found = gatewayLog.lines.filter((line) => line.msg === "request" && line.requestId === requestId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function expectErrorsCarry(answer: Answer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.requestId).toMatch(UUID);
  expect(answer.errors?.length).toBeGreaterThan(0);
  for (const error of answer.errors!) expect(error.extensions).toMatchObject({ code, requestId: answer.requestId });
  expect(accessLine(answer.requestId!)).toMatchObject({ status, errorCodes: answer.errors!.map(() => code) });
}

beforeAll(async () => {
  // Every key is looked up (no cache), so the proxy's outage reaches every request.
  const config = testConfig({
    AUTH_CACHE_TTL_MS: "0",
    RATE_LIMIT_PER_SECOND: String(RATE_LIMIT_PER_SECOND),
    AUTH_FAILURES_PER_MINUTE: "2",
  });
  platform = await startPlatform({
    config,
    logger: subgraphLog.logger,
    subgraphs: SUBGRAPH_NAMES,
    gateway: false,
    ephemeralSubgraphPorts: true,
    db: await testDatabase(),
    workers: [],
  });
  proxy = await RecordingProxy.start(platform.config.subgraphUrls.accounts);
  gateway = await startGateway({ config: platform.config, logger: gatewayLog.logger, port: 0, authenticationUrl: proxy.url });
  alice = await newTenant("Request ids");
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await gateway?.stop();
  await proxy?.stop();
  await platform?.stop();
});

describe("x-request-id", () => {
  it("echoes a client's safe id, and logs it at the gateway and at the subgraph, never the key", async () => {
    const id = `req-${randomBytes(8).toString("hex")}`;
    const answer = await post(VIEWER, { ...bearer(alice.key), "x-request-id": id });
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ viewer: { id: alice.accountId } });
    expect(answer.requestId).toBe(id);

    const line = accessLine(id);
    expect(line).toMatchObject({
      level: 30,
      method: "POST",
      path: "/graphql",
      operationName: "Viewer",
      operationType: "query",
      status: 200,
      tenantId: alice.accountId,
    });
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line.errorCodes).toBeUndefined();
    // The key lookup and the viewer query reached the accounts subgraph; the query carried the id.
    await until(
      () => subgraphLog.lines.some((each) => each.requestId === id && each.msg === "subgraph request"),
      "the subgraph's line for the request",
    );
    expect(subgraphLog.lines.find((each) => each.requestId === id)).toMatchObject({ subgraph: "accounts", level: 20 });
    for (const raw of [...gatewayLog.raw, ...subgraphLog.raw]) {
      expect(raw).not.toContain(alice.key);
      expect(raw).not.toMatch(/bearer/i);
    }
  });

  it("is generated when the client sends none, a new one for each request", async () => {
    const [one, two] = await Promise.all([post(VIEWER, bearer(alice.key)), post(VIEWER, bearer(alice.key))]);
    expect(one!.requestId).toMatch(UUID);
    expect(two!.requestId).toMatch(UUID);
    expect(one!.requestId).not.toBe(two!.requestId);
    // The same document again (parsed and validated from the runtime's caches): still named.
    for (const answer of [one!, two!])
      expect(accessLine(answer.requestId!)).toMatchObject({
        status: 200,
        tenantId: alice.accountId,
        operationName: "Viewer",
        operationType: "query",
      });
  });

  it.each([
    ["too long", "x".repeat(MAX_REQUEST_ID_LENGTH + 1)],
    ["with a tab", "forged\tline"],
    ["with spaces and quotes", 'a" level=50 msg="forged'],
    ["not ASCII", "caf\u00e9"],
  ])("replaces an unsafe one (%s), never echoing or logging it", async (_what, unsafe) => {
    const answer = await post(VIEWER, { ...bearer(alice.key), "x-request-id": unsafe });
    expect(answer.status).toBe(200);
    expect(answer.requestId).toMatch(UUID);
    expect(accessLine(answer.requestId!)).toMatchObject({ status: 200 });
    for (const raw of [...gatewayLog.raw, ...subgraphLog.raw]) expect(raw).not.toContain(JSON.stringify(unsafe).slice(1, -1));
  });

  it("is on probes too, which are not logged at info", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      const answer = await rawRequest(gateway!.url.replace(/\/graphql$/, path), { method: "GET" });
      expect(answer.status).toBe(200);
      expect(answer.headers["x-request-id"]).toMatch(UUID);
      expect(gatewayLog.lines.filter((line) => line.path === path)).toEqual([]);
    }
  });
});

describe("errors carry the request id", () => {
  it("a GraphQL error (400)", async () => {
    const answer = await post({ query: "query Broken { viewer { nope } }" }, bearer(alice.key));
    expectErrorsCarry(answer, 400, "BAD_USER_INPUT");
    expect(accessLine(answer.requestId!)).toMatchObject({ operationName: "Broken", tenantId: alice.accountId });
  });

  it("a wrong key (401), then too many of them from one address (429)", async () => {
    const from = loopbackAddress();
    const wrong = bearer(`sk_test_${"0".repeat(31)}a`);
    for (let i = 0; i < 2; i++) expectErrorsCarry(await post(VIEWER, wrong, from), 401, "UNAUTHENTICATED");
    const refused = await post(VIEWER, wrong, from);
    expectErrorsCarry(refused, 429, "RATE_LIMITED");
    expect(accessLine(refused.requestId!).tenantId).toBeUndefined();
  });

  it("a tenant beyond its requests per second (429)", async () => {
    const bob = await newTenant("Rate limited");
    // Keys are looked up on every request here (AUTH_CACHE_TTL_MS=0): on a loaded machine a burst
    // may spread over more seconds than it has requests per limit, so burst until one is refused.
    let limited: Awaited<ReturnType<typeof post>>[] = [];
    for (let burst = 0; burst < 10 && limited.length === 0; burst++) {
      const answers = await Promise.all(Array.from({ length: RATE_LIMIT_PER_SECOND * 3 }, () => post(VIEWER, bearer(bob.key))));
      limited = answers.filter((answer) => answer.status === 429);
    }
    expect(limited.length).toBeGreaterThan(0);
    for (const answer of limited) {
      expectErrorsCarry(answer, 429, "RATE_LIMITED");
      expect(accessLine(answer.requestId!).tenantId).toBe(bob.accountId);
    }
  });

  it("a body beyond MAX_QUERY_BYTES (413)", async () => {
    const answer = await post({ query: `{ viewer { id } }\n#${"x".repeat(platform!.config.MAX_QUERY_BYTES)}` }, bearer(alice.key));
    expectErrorsCarry(answer, 413, "BAD_USER_INPUT");
  });

  it("authentication unavailable (503), an outage logged once when it starts and once when it ends", async () => {
    const from = gatewayLog.lines.length;
    proxy!.failWith = 503;
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(VIEWER, bearer(alice.key))));
      for (const answer of answers) expectErrorsCarry(answer, 503, "SERVICE_UNAVAILABLE");
      for (const answer of await Promise.all(Array.from({ length: 4 }, () => post(VIEWER, bearer(alice.key)))))
        expect(answer.status).toBe(503);
    } finally {
      proxy!.failWith = undefined;
    }
    expect((await post(VIEWER, bearer(alice.key))).status).toBe(200);
    const logged = gatewayLog.lines.slice(from);
    const started = logged.filter((line) => /^authentication unavailable/.test(line.msg));
    const ended = logged.filter((line) => /^authentication available again after \d+ ms$/.test(line.msg));
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ level: 50, reason: expect.stringMatching(/HTTP 503/) });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ level: 40, downForMs: expect.any(Number) });
    expect(logged.filter((line) => line.err !== undefined || line.level >= 50)).toEqual(started);
  });
});

describe("graphql-ws operations", () => {
  function connect(key: string): Client {
    // Not lazy: the socket stays open once its operations end (so they end as unsubscribed).
    const client = createClient({
      url: wsUrl(gateway!.url),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: bearer(key),
    });
    sockets.push(client);
    return client;
  }

  /** Subscribes with `extensions`; collects results until the end. */
  function subscribe(client: Client, query: string, variables: Record<string, unknown>, extensions: Record<string, unknown>) {
    const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
    const state: { error?: unknown; done: boolean } = { done: false };
    const stop = client.subscribe(
      { query, variables, extensions },
      {
        next: (result) => void results.push(result),
        error: (error) => ((state.error = error), (state.done = true)),
        complete: () => (state.done = true),
      },
    );
    return { results, state, stop };
  }

  const SUBSCRIPTION = "subscription Follow($accountId: ID!) { balanceChanged(accountId: $accountId) { id available { amount } } }";

  it("a subscription runs under the client's id, at the gateway and at the subgraph, and is one line when it ends", async () => {
    const id = `sub-${randomBytes(8).toString("hex")}`;
    const ready = positioned(gateway!);
    const stream = subscribe(connect(alice.key), SUBSCRIPTION, { accountId: alice.accountId }, { requestId: id });
    await ready();
    await commitSeries(platform!.deps!.db, { tenantId: alice.accountId, accountId: alice.accountId }, 2);
    await until(() => stream.results.length >= 2, "two events");
    stream.stop();

    await until(() => gatewayLog.lines.some((line) => line.requestId === id), "the gateway's line for the subscription");
    expect(gatewayLog.lines.filter((line) => line.requestId === id)).toEqual([
      expect.objectContaining({
        level: 30,
        msg: "socket operation",
        operationName: "Follow",
        operationType: "subscription",
        tenantId: alice.accountId,
        events: 2,
        ended: "unsubscribed",
        durationMs: expect.any(Number),
      }),
    ]);
    // The upstream subscription (and its position query) carried the id to the balances subgraph.
    const upstream = () => subgraphLog.lines.filter((line) => line.requestId === id && line.msg === "subgraph socket operation");
    await until(() => upstream().some((line) => line.ended === "unsubscribed"), "the subgraph's line for it");
    expect(upstream()).toContainEqual(expect.objectContaining({ subgraph: "balances", events: 2, ended: "unsubscribed" }));
  });

  it("an unsafe id is replaced, and errors carry the one it was given", async () => {
    const client = connect(alice.key);
    const unsafe = "forged\nline";
    const refused = subscribe(client, SUBSCRIPTION, { accountId: "acct_doesnotexist000000000000" }, { requestId: unsafe });
    const invalid = subscribe(client, "subscription Broken { nope }", {}, { requestId: "a".repeat(MAX_REQUEST_ID_LENGTH + 1) });
    await until(() => refused.state.done && invalid.state.done, "both operations to end");

    // Refused while subscribing (NOT_FOUND from the subgraph): a result with errors, then completion.
    const notFound = refused.results.flatMap((result) => result.errors ?? []);
    expect(notFound.map((error) => error.extensions?.["code"])).toEqual(["NOT_FOUND"]);
    const refusedId = notFound[0]!.extensions!["requestId"] as string;
    expect(refusedId).toMatch(UUID);
    // Refused before it ran (invalid): graphql-ws's error message.
    const invalidErrors = invalid.state.error as GraphQLErrorJson[];
    expect(invalidErrors.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    const invalidId = invalidErrors[0]!.extensions!["requestId"] as string;
    expect(invalidId).toMatch(UUID);

    await until(
      () => gatewayLog.lines.some((line) => line.requestId === refusedId) && gatewayLog.lines.some((line) => line.requestId === invalidId),
      "their lines",
    );
    expect(gatewayLog.lines.find((line) => line.requestId === refusedId)).toMatchObject({
      msg: "socket operation",
      ended: "completed",
      errorCodes: ["NOT_FOUND"],
      events: 1,
    });
    expect(gatewayLog.lines.find((line) => line.requestId === invalidId)).toMatchObject({
      msg: "socket operation",
      ended: "error",
      errorCodes: ["BAD_USER_INPUT"],
      events: 0,
    });
    for (const raw of [...gatewayLog.raw, ...subgraphLog.raw]) {
      expect(raw).not.toContain("forged\\nline");
      expect(raw).not.toContain("a".repeat(MAX_REQUEST_ID_LENGTH + 1));
    }
  });
});
