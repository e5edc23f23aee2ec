// Rate limits through a real gateway (its own, with low limits, in front of the shared
// subgraphs): HTTP requests and graphql-ws operations per tenant and mode, and graphql-ws
// connections per tenant and mode.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../gateway/server.ts";
import { CLOSE_TOO_MANY_CONNECTIONS } from "../gateway/subscriptions/close-codes.ts";
import { newPlatform, request } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { connect, extraGateway, until } from "./support/subscriptions.ts";

const PER_SECOND = 5;
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await extraGateway(await testPlatform(), { RATE_LIMIT_PER_SECOND: PER_SECOND, MAX_CONNECTIONS_PER_KEY: 2 });
});

afterAll(async () => {
  await gateway?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string; retryAfterMs?: number; retryable?: boolean } }[] };
}

async function call(key: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer["body"] };
}

const VIEWER = "{ viewer { id } }";
const CREATE = `mutation($input: CreateConnectedAccountInput!, $key: String!) { createConnectedAccount(input: $input, idempotencyKey: $key) { id } }`;

/** Spends the rest of a tenant's current second; returns a refusal from it. */
async function exhaust(key: string): Promise<Answer> {
  const answers = await Promise.all(Array.from({ length: PER_SECOND * 3 }, () => call(key, VIEWER)));
  const refused = answers.find((answer) => answer.status === 429);
  expect(refused).toBeDefined();
  return refused!;
}

describe("requests per second per tenant and mode, over HTTP", () => {
  it("answers RATE_LIMITED with 429 and Retry-After beyond the limit, and a refused mutation changes nothing", async () => {
    const tenant = await newPlatform("Busy Co");
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(tenant.key, CREATE, { input: { displayName: `Seller ${i}`, country: "US", defaultCurrency: "USD" }, key: randomUUID() }),
      ),
    );
    const allowed = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(allowed.length + refused.length).toBe(20);
    // One second's worth, or two if the burst straddled a window.
    expect(allowed.length).toBeGreaterThanOrEqual(PER_SECOND);
    expect(allowed.length).toBeLessThanOrEqual(2 * PER_SECOND);
    for (const answer of allowed) {
      expect(answer.body.errors).toBeUndefined();
      expect(answer.headers.get("ratelimit-limit")).toBe(String(PER_SECOND));
      expect(Number(answer.headers.get("ratelimit-remaining"))).toBeLessThan(PER_SECOND);
    }
    for (const answer of refused) {
      expect(answer.body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
      expect(answer.body.errors?.[0]?.extensions?.retryable).toBe(true);
      expect(answer.body.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
      expect(answer.body.errors?.[0]?.extensions?.retryAfterMs).toBeLessThanOrEqual(1_000);
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(answer.body.data).toBeUndefined();
    }
    // Through the shared gateway (no limit): exactly the allowed ones exist.
    const listed = await request(`{ viewer { connectedAccounts(first: 100) { edges { node { id } } } } }`, undefined, { key: tenant.key });
    const created = (listed.data as { viewer: { connectedAccounts: { edges: unknown[] } } }).viewer.connectedAccounts.edges;
    expect(created).toHaveLength(allowed.length);
  });

  it("keeps each tenant's budget, and each mode's, apart", async () => {
    const [busy, calm] = await Promise.all([newPlatform("Busy"), newPlatform("Calm")]);
    await exhaust(busy.key);
    expect((await call(calm.key, VIEWER)).status).toBe(200);
    expect((await call(busy.liveKey, VIEWER)).status).toBe(200);
  });

  it("lets the tenant through again after Retry-After", async () => {
    const tenant = await newPlatform("Patient");
    // The refusal from within the burst: a call after it may already fall in the next window on a
    // busy machine.
    const refused = await exhaust(tenant.key);
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get("retry-after")) * 1_000 + 50));
    expect((await call(tenant.key, VIEWER)).status).toBe(200);
  });
});

describe("graphql-ws", () => {
  it("counts each operation against the same budget", async () => {
    const tenant = await newPlatform("Socket Co");
    const ws = connect(gateway.url, tenant.key);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, async () => {
          const results: { errors?: readonly { extensions?: { code?: unknown } }[] }[] = [];
          try {
            for await (const result of ws.client.iterate({ query: VIEWER })) results.push(result);
            return results[0]?.errors ? "error" : "ok";
          } catch (errors) {
            const list = errors as { extensions?: { code?: unknown } }[];
            return Array.isArray(list) ? String(list[0]?.extensions?.code) : "thrown";
          }
        }),
      );
      const ok = outcomes.filter((outcome) => outcome === "ok").length;
      expect(ok).toBeGreaterThanOrEqual(PER_SECOND);
      expect(ok).toBeLessThanOrEqual(2 * PER_SECOND);
      expect(outcomes.filter((outcome) => outcome !== "ok").every((outcome) => outcome === "RATE_LIMITED")).toBe(true);
    } finally {
      await ws.dispose();
    }
  });

  it("admits at most MAX_CONNECTIONS_PER_KEY sockets per tenant and mode; a closed one frees its place", async () => {
    const tenant = await newPlatform("Many Sockets");
    const opened = (client: ReturnType<typeof connect>) =>
      new Promise<"open" | number>((resolve) => {
        client.client.on("connected", () => resolve("open"));
        client.client.on("closed", (event) => resolve((event as { code: number }).code));
        // graphql-ws connects lazily: a subscription makes it dial.
        client.client.subscribe(
          { query: `subscription($id: ID!) { balanceChanged(accountId: $id) { id } }`, variables: { id: tenant.accountId } },
          { next: () => {}, error: () => {}, complete: () => {} },
        );
      });
    const first = connect(gateway.url, tenant.key);
    const second = connect(gateway.url, tenant.key);
    const third = connect(gateway.url, tenant.key);
    const live = connect(gateway.url, tenant.liveKey);
    try {
      expect(await opened(first)).toBe("open");
      expect(await opened(second)).toBe("open");
      expect(await opened(third)).toBe(CLOSE_TOO_MANY_CONNECTIONS);
      expect(third.closes[0]?.reason).toMatch(/At most 2 connections/);
      // The live key's mode has its own count.
      expect(await opened(live)).toBe("open");
      await first.dispose();
      await until(() => gateway.socketStats().connections === 2, "the closed socket to be forgotten");
      const fourth = connect(gateway.url, tenant.key);
      try {
        expect(await opened(fourth)).toBe("open");
      } finally {
        await fourth.dispose();
      }
    } finally {
      await Promise.all([second, third, live].map((client) => client.dispose()));
    }
  });
});
