// Failed authentications cost the caller's address: beyond AUTH_FAILURES_PER_MINUTE failures in
// a window, the address is refused (HTTP 429 + Retry-After, graphql-ws close 4429) before any key
// lookup. Through real gateways in front of the shared subgraphs, the accounts subgraph behind a
// recording proxy (to count lookups, and to play an outage). Each test sends from loopback
// addresses of its own (127.x.y.z): different clients to the gateway, no budget shared.

import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import type { RunningGateway } from "../gateway/server.ts";
import { CLOSE_TOO_MANY_CONNECTIONS, CLOSE_UNAUTHORIZED } from "../gateway/subscriptions/close-codes.ts";
import { newPlatform, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { loopbackAddress, rawRequest, type RawAnswer } from "./support/raw-http.ts";
import { RecordingProxy } from "./support/recording-proxy.ts";
import { connect, extraGateway, type TestWsClient } from "./support/subscriptions.ts";

const BUDGET = 3;
/** The window is a minute in production; short here so the reset is seen. */
const WINDOW_MS = 2_000;

let platform: RunningPlatform;
let proxy: RecordingProxy;
let tenant: TestTenant;
const gateways: RunningGateway[] = [];
const clients: TestWsClient[] = [];

async function gatewayWith(overrides: Parameters<typeof extraGateway>[1] = {}): Promise<RunningGateway> {
  const gateway = await extraGateway(
    platform,
    // No key cache: every failure is a real lookup, and lookups are what the budget protects.
    {
      AUTH_FAILURES_PER_MINUTE: BUDGET,
      AUTH_CACHE_TTL_MS: 0,
      subgraphUrls: { ...platform.config.subgraphUrls, accounts: proxy.url },
      ...overrides,
    },
    { authFailureWindowMs: WINDOW_MS },
  );
  gateways.push(gateway);
  return gateway;
}

let gateway: RunningGateway;

beforeAll(async () => {
  platform = await testPlatform();
  proxy = await RecordingProxy.start(platform.subgraphs.find((subgraph) => subgraph.name === "accounts")!.url);
  gateway = await gatewayWith();
  tenant = await newPlatform("Authentic");
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await Promise.all(gateways.map((each) => each.stop()));
  await proxy?.stop();
});

/** A well-formed key that does not exist: it costs a lookup. */
const invalidKey = () => `sk_test_${randomBytes(16).toString("hex")}`;

interface Answer extends RawAnswer {
  readonly body: { data?: unknown; errors?: { message: string; extensions?: { code?: string; retryAfterMs?: number } }[] };
}

async function call(
  from: string,
  key: string | undefined,
  options: { via?: RunningGateway; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const answer = await rawRequest((options.via ?? gateway).url, {
    from,
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...options.headers },
    body: JSON.stringify({ query: key ? "{ viewer { id } }" : "{ __typename }" }),
  });
  return { ...answer, body: JSON.parse(answer.text) as Answer["body"] };
}

const lookups = () => proxy.requestsFor(/_authenticate/).length;
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

async function spendBudget(from: string, via?: RunningGateway): Promise<void> {
  for (let i = 0; i < BUDGET; i++) {
    const answer = await call(from, invalidKey(), { via });
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe("UNAUTHENTICATED");
  }
}

function expectRateLimited(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(codeOf(answer)).toBe("RATE_LIMITED");
  expect(answer.body.data).toBeUndefined();
  const retryAfter = Number(answer.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1_000));
  expect(answer.body.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
  expect(answer.body.errors?.[0]?.extensions?.retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
}

/** A WebSocket that connects from `address` (with `headers` on its upgrade request). */
function socketFrom(address: string, headers: Record<string, string> = {}) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress: address, headers });
    }
  };
}

/** graphql-ws's client from `address`: resolves "open" once acknowledged, or the close code and reason. */
function open(
  address: string,
  key: string,
  via: RunningGateway = gateway,
  headers: Record<string, string> = {},
): Promise<"open" | { code: number; reason: string }> {
  const client = connect(via.url, key, { webSocketImpl: socketFrom(address, headers), lazy: false, onNonLazyError: () => {} });
  clients.push(client);
  return new Promise((resolve) => {
    client.client.on("connected", () => resolve("open"));
    client.client.on("closed", (event) =>
      resolve({ code: (event as { code: number }).code, reason: String((event as { reason: string }).reason) }),
    );
  });
}

describe("failed authentications per client address, over HTTP", () => {
  it("answers 429 RATE_LIMITED with Retry-After beyond the budget, before any lookup, whatever the key", async () => {
    const address = loopbackAddress();
    const before = lookups();
    await spendBudget(address);
    expect(lookups() - before).toBe(BUDGET);

    expectRateLimited(await call(address, invalidKey()));
    // Refused before the key is looked at: a valid key from this address waits too.
    expectRateLimited(await call(address, tenant.key));
    expect(lookups() - before).toBe(BUDGET);
  });

  it("leaves other addresses alone, and requests without a key (introspection)", async () => {
    const address = loopbackAddress();
    await spendBudget(address);
    expectRateLimited(await call(address, tenant.key));

    const other = await call(loopbackAddress(), tenant.key);
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual({ viewer: { id: tenant.accountId } });
    const keyless = await call(address, undefined);
    expect(keyless.status).toBe(200);
  });

  it("does not count successes", async () => {
    const address = loopbackAddress();
    for (let i = 0; i < BUDGET * 2; i++) expect((await call(address, tenant.key)).status).toBe(200);
    await spendBudget(address);
    expectRateLimited(await call(address, tenant.key));
  });

  it("counts garbage and malformed headers too, which cost no lookup", async () => {
    const address = loopbackAddress();
    expect((await call(address, "not-a-key")).status).toBe(401);
    expect((await call(address, undefined, { headers: { authorization: `Basic ${tenant.key}` } })).status).toBe(401);
    expect((await call(address, invalidKey())).status).toBe(401);
    expectRateLimited(await call(address, tenant.key));
  });

  it("lets the address in again once the window has passed", async () => {
    const address = loopbackAddress();
    await spendBudget(address);
    const refused = await call(address, tenant.key);
    expectRateLimited(refused);
    const refusedAt = Date.now();
    // A valid key, asked again until it passes: waiting on the gateway, never on a fixed sleep.
    let answer = refused;
    while (answer.status === 429) {
      if (Date.now() - refusedAt > WINDOW_MS + 10_000) throw new Error("the budget never reset");
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await call(address, tenant.key);
    }
    expect(answer.status).toBe(200);
    // A fresh budget: a failure answers 401 again, not 429.
    expect((await call(address, invalidKey())).status).toBe(401);
  });

  it("does not count keys refused because the accounts subgraph is unavailable (503)", async () => {
    const address = loopbackAddress();
    proxy.failWith = 503;
    try {
      for (let i = 0; i < BUDGET * 2; i++) {
        const answer = await call(address, invalidKey());
        expect(answer.status).toBe(503);
      }
    } finally {
      proxy.failWith = undefined;
    }
    expect((await call(address, invalidKey())).status).toBe(401);
    expect((await call(address, tenant.key)).status).toBe(200);
  });
});

describe("failed authentications over graphql-ws", () => {
  it("counts a refused connection_init, and closes the connections of an address beyond its budget with 4429 RATE_LIMITED", async () => {
    const address = loopbackAddress();
    for (let i = 0; i < BUDGET; i++) {
      expect(await open(address, invalidKey())).toEqual({ code: CLOSE_UNAUTHORIZED, reason: "Invalid API key" });
    }
    const refused = await open(address, tenant.key);
    expect(refused).toEqual({ code: CLOSE_TOO_MANY_CONNECTIONS, reason: expect.stringMatching(/^RATE_LIMITED: .*retry after \d+ s$/) });
    // Over HTTP, the same address is refused too: one budget.
    expectRateLimited(await call(address, tenant.key));
    expect(await open(loopbackAddress(), tenant.key)).toBe("open");
  });

  it("shares the budget with HTTP", async () => {
    const address = loopbackAddress();
    await spendBudget(address);
    expect(await open(address, tenant.key)).toMatchObject({ code: CLOSE_TOO_MANY_CONNECTIONS });
  });
});

describe("the client address behind a proxy", () => {
  it("is the peer's address by default: X-Forwarded-For cannot buy a fresh budget", async () => {
    const address = loopbackAddress();
    for (let i = 0; i < BUDGET; i++) {
      expect((await call(address, invalidKey(), { headers: { "x-forwarded-for": `203.0.113.${i + 1}` } })).status).toBe(401);
    }
    expectRateLimited(await call(address, tenant.key, { headers: { "x-forwarded-for": "203.0.113.99" } }));
  });

  it("is the forwarded client's with TRUST_PROXY naming the proxy, over HTTP and graphql-ws", async () => {
    const behindProxy = await gatewayWith({ TRUST_PROXY: ["loopback"] });
    const proxyAddress = loopbackAddress();
    const forwarded = (client: string) => ({ via: behindProxy, headers: { "x-forwarded-for": client } });
    for (let i = 0; i < BUDGET; i++) expect((await call(proxyAddress, invalidKey(), forwarded("203.0.113.7"))).status).toBe(401);
    expectRateLimited(await call(proxyAddress, tenant.key, forwarded("203.0.113.7")));
    // Another client behind the same proxy has its own budget.
    expect((await call(proxyAddress, tenant.key, forwarded("203.0.113.8"))).status).toBe(200);
    // The upgrade request's X-Forwarded-For names the client of a socket.
    expect(await open(proxyAddress, tenant.key, behindProxy, { "x-forwarded-for": "203.0.113.7" })).toMatchObject({
      code: CLOSE_TOO_MANY_CONNECTIONS,
    });
    expect(await open(proxyAddress, tenant.key, behindProxy, { "x-forwarded-for": "203.0.113.9" })).toBe("open");
  });
});

// CI sets REDIS_URL (the machine runs Redis).
describe.runIf(process.env["REDIS_URL"])("with RATE_LIMIT_REDIS_URL", () => {
  it("shares an address's budget between gateways", async () => {
    const [first, second] = await Promise.all([
      gatewayWith({ RATE_LIMIT_REDIS_URL: process.env["REDIS_URL"] }),
      gatewayWith({ RATE_LIMIT_REDIS_URL: process.env["REDIS_URL"] }),
    ]);
    const address = loopbackAddress();
    await spendBudget(address, first);
    expectRateLimited(await call(address, tenant.key, { via: second }));
    expect((await call(loopbackAddress(), tenant.key, { via: second })).status).toBe(200);
  });
});
