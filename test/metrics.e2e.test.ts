// Prometheus metrics over real HTTP: the gateway's /metrics (in the all-in-one process: the
// gateway's families and every subgraph's) and a subgraph's own /metrics, scraped before and
// after real traffic, must show the counters moving, with labels that name no tenant or key.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import { SUBGRAPHS } from "../subgraphs/index.ts";
import { serveSubgraph } from "../subgraphs/shared/server.ts";
import { buildSubgraph } from "../subgraphs/shared/subgraph.ts";
import { BalanceChangedIdsDocument, CreateTopupDocument, CreateTransferDocument } from "./generated/graphql.ts";
import { codes, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { delta, metricsUrl, scrape, type Exposition } from "./support/metrics.ts";
import { testPlatform } from "./support/platform.ts";
import { connect, extraGateway, positioned, Recorder, until, type TestWsClient } from "./support/subscriptions.ts";

let platform: RunningPlatform;
let tenant: TestTenant;
let seller: string;
const clients: TestWsClient[] = [];

const gatewayMetrics = () => scrape(metricsUrl(platform.gateway!.url));
const subgraphUrl = (name: string) => platform.subgraphs.find((subgraph) => subgraph.name === name)!.url;
const balancesMetrics = () => scrape(metricsUrl(subgraphUrl("balances")));

beforeAll(async () => {
  platform = await testPlatform();
  tenant = await newPlatform("Metrics Co");
  seller = await insertConnectedAccount({ tenantId: tenant.accountId });
  await ok(
    CreateTopupDocument,
    { input: { accountId: tenant.accountId, amount: "100000", currency: "USD" }, key: randomUUID() },
    tenant.key,
  );
});

afterAll(async () => {
  await Promise.all(clients.map((each) => each.dispose()));
});

describe("a transfer, as the metrics see it", () => {
  let gatewayBefore: Exposition;
  let gatewayAfter: Exposition;
  let balancesBefore: Exposition;
  let balancesAfter: Exposition;

  beforeAll(async () => {
    [gatewayBefore, balancesBefore] = await Promise.all([gatewayMetrics(), balancesMetrics()]);
    const transfer = { input: { destinationAccountId: seller, amount: "125", currency: "USD" }, key: randomUUID() };
    await ok(CreateTransferDocument, transfer, tenant.key);
    // The same key again: answered from the first result, nothing posted twice.
    await ok(CreateTransferDocument, transfer, tenant.key);
    [gatewayAfter, balancesAfter] = await Promise.all([gatewayMetrics(), balancesMetrics()]);
  });

  it("counts the operation by name, type and outcome, and the HTTP answers by status", () => {
    expect(
      delta(gatewayBefore, gatewayAfter, "moneygraph_gateway_operations_total", {
        operation: "CreateTransfer",
        type: "mutation",
        outcome: "ok",
      }),
    ).toBe(2);
    expect(delta(gatewayBefore, gatewayAfter, "moneygraph_gateway_http_requests_total", { status: "200" })).toBe(2);
    // The Prometheus plugin's own families, with our labels.
    expect(
      delta(gatewayBefore, gatewayAfter, "graphql_envelop_request_duration_count", {
        operationName: "CreateTransfer",
        operationType: "mutation",
      }),
    ).toBe(2);
    expect(
      delta(gatewayBefore, gatewayAfter, "graphql_yoga_http_duration_count", {
        operationName: "CreateTransfer",
        statusCode: "200",
        method: "POST",
      }),
    ).toBe(2);
    expect(
      delta(gatewayBefore, gatewayAfter, "graphql_gateway_subgraph_execute_duration_count", {
        subgraphName: "balances",
        operationType: "mutation",
      }),
    ).toBeGreaterThanOrEqual(2);
    // Fetches are HTTP requests to a subgraph: none when the gateway calls its process's subgraphs directly.
    const fetches = delta(gatewayBefore, gatewayAfter, "graphql_gateway_fetch_duration_count", {
      subgraphName: "balances",
      statusCode: "200",
    });
    if (platform.config.SUBGRAPH_TRANSPORT === "http") expect(fetches).toBeGreaterThanOrEqual(2);
    else expect(fetches).toBe(0);
  });

  it("counts the ledger posting, the group commit and the replayed key on the balances subgraph's own port", () => {
    expect(delta(balancesBefore, balancesAfter, "moneygraph_ledger_postings_total", { kind: "TRANSFER", outcome: "posted" })).toBe(1);
    expect(
      delta(balancesBefore, balancesAfter, "moneygraph_ledger_post_duration_seconds_count", { outcome: "posted" }),
    ).toBeGreaterThanOrEqual(1);
    // Two batches of one: the transfer, and its replay, whose key the batch found used.
    expect(delta(balancesBefore, balancesAfter, "moneygraph_transfer_batch_size_count")).toBe(2);
    expect(delta(balancesBefore, balancesAfter, "moneygraph_transfer_batch_size_sum")).toBe(2);
    expect(delta(balancesBefore, balancesAfter, "moneygraph_idempotency_replays_total", { operation: "createTransfer" })).toBe(1);
    expect(
      delta(balancesBefore, balancesAfter, "moneygraph_subgraph_operations_total", {
        subgraph: "balances",
        type: "mutation",
        outcome: "ok",
      }),
    ).toBe(2);
  });

  it("shows the database pool and the process's defaults", () => {
    for (const exposition of [balancesAfter, gatewayAfter]) {
      expect(exposition.sum("moneygraph_db_pool_connections")).toBeGreaterThanOrEqual(1);
      expect(exposition.sum("moneygraph_db_pool_max_connections")).toBeGreaterThanOrEqual(1);
      expect(exposition.has("moneygraph_db_pool_idle_connections")).toBe(true);
      expect(exposition.has("moneygraph_db_pool_waiting_clients")).toBe(true);
      expect(exposition.has("process_cpu_seconds_total")).toBe(true);
      expect(exposition.has("nodejs_heap_size_used_bytes")).toBe(true);
    }
    // Postgres reports its idle connections and waiting clients; PGlite is one connection.
    if (platform.deps!.db.kind === "postgres") expect(balancesAfter.matching("moneygraph_db_pool_idle_connections")).not.toEqual([]);
    // The gateway's port shows the whole all-in-one process; a subgraph's, the process's registry.
    expect(gatewayAfter.sum("moneygraph_ledger_postings_total", { kind: "TRANSFER" })).toBe(
      balancesAfter.sum("moneygraph_ledger_postings_total", { kind: "TRANSFER" }),
    );
    expect(balancesAfter.has("moneygraph_gateway_operations_total")).toBe(false);
  });

  it("labels nothing with a tenant, an account or a key", () => {
    for (const exposition of [gatewayAfter, balancesAfter]) {
      for (const secret of [tenant.accountId, seller, tenant.key]) expect(exposition.text).not.toContain(secret);
      expect(exposition.text).not.toMatch(/acct_|sk_(test|live)_/);
    }
  });
});

describe("refusals and errors", () => {
  it("counts errors by code, a failed operation's outcome, and refused keys", async () => {
    const before = await gatewayMetrics();
    const broke = await request(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "99999999", currency: "USD" }, key: randomUUID() },
      { key: tenant.key },
    );
    expect(codes(broke)).toEqual(["INSUFFICIENT_FUNDS"]);
    const wrongKey = await request(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "1", currency: "USD" }, key: randomUUID() },
      { key: "sk_test_not_a_real_key" },
    );
    expect(wrongKey.status).toBe(401);
    const noKey = await request(CreateTransferDocument, {
      input: { destinationAccountId: seller, amount: "1", currency: "USD" },
      key: randomUUID(),
    });
    expect(codes(noKey)).toEqual(["UNAUTHENTICATED"]);
    const notJson = await fetch(platform.gateway!.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tenant.key}` },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    await notJson.arrayBuffer();
    const after = await gatewayMetrics();

    expect(delta(before, after, "moneygraph_gateway_errors_total", { code: "INSUFFICIENT_FUNDS" })).toBe(1);
    // Refused for its funds, and for its missing key (the wrong key was refused before any operation).
    expect(delta(before, after, "moneygraph_gateway_operations_total", { operation: "CreateTransfer", outcome: "error" })).toBe(2);
    expect(delta(before, after, "moneygraph_gateway_auth_failures_total", { transport: "http", reason: "invalid_key" })).toBe(1);
    expect(delta(before, after, "moneygraph_gateway_auth_failures_total", { transport: "http", reason: "missing_key" })).toBe(1);
    expect(delta(before, after, "moneygraph_gateway_errors_total", { code: "UNAUTHENTICATED" })).toBe(2);
    expect(delta(before, after, "moneygraph_gateway_http_requests_total", { status: "401" })).toBe(2);
    expect(delta(before, after, "moneygraph_gateway_errors_total", { code: "BAD_USER_INPUT" })).toBe(1);
    expect(delta(before, after, "moneygraph_gateway_http_requests_total", { status: "400" })).toBe(1);
    expect(after.text).not.toContain("sk_test_not_a_real_key");
  });

  it("never makes a label of a name an unauthenticated client chose", async () => {
    const name = `Probe${randomUUID().replaceAll("-", "")}`;
    const before = await gatewayMetrics();
    const answer = await request(`query ${name} { __typename }`);
    expect(answer.status).toBe(200);
    const after = await gatewayMetrics();
    expect(after.text).not.toContain(name);
    expect(delta(before, after, "moneygraph_gateway_operations_total", { operation: "(other)", type: "query", outcome: "ok" })).toBe(1);
  });

  it("counts the per-tenant rate limit (a gateway of its own with a budget of one request a second)", async () => {
    const limited = await extraGateway(platform, { RATE_LIMIT_PER_SECOND: 1 });
    try {
      const url = metricsUrl(`http://localhost:${limited.port}/graphql`);
      const before = await scrape(url);
      const statuses: number[] = [];
      // Until refused (the second request of a second is; a slow machine may straddle seconds).
      while (!statuses.includes(429) && statuses.length < 50) {
        const response = await fetch(`http://localhost:${limited.port}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${tenant.key}` },
          body: JSON.stringify({ query: "{ __typename }" }),
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      expect(statuses).toContain(429);
      const after = await scrape(url);
      expect(delta(before, after, "moneygraph_gateway_rate_limited_total", { transport: "http", limit: "requests" })).toBe(
        statuses.filter((status) => status === 429).length,
      );
      expect(delta(before, after, "moneygraph_gateway_http_requests_total", { status: "429" })).toBe(
        statuses.filter((status) => status === 429).length,
      );
      expect(delta(before, after, "moneygraph_gateway_errors_total", { code: "RATE_LIMITED" })).toBe(
        statuses.filter((status) => status === 429).length,
      );
    } finally {
      await limited.stop();
    }
    // Stopping a gateway disposes its plugin, which clears the gateway's registry only: the
    // process's families (the subgraphs') are still there on the platform's gateway.
    expect((await gatewayMetrics()).sum("moneygraph_ledger_postings_total")).toBeGreaterThan(0);
  });
});

describe("graphql-ws", () => {
  it("shows open sockets and subscriptions, and counts the events delivered", async () => {
    const ready = positioned(platform);
    const ws = connect(platform.gateway!.url, tenant.key);
    clients.push(ws);
    const stream = new Recorder(ws.client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await ready();
    const before = await gatewayMetrics();
    expect(before.sum("moneygraph_gateway_websocket_connections")).toBeGreaterThanOrEqual(1);
    expect(before.sum("moneygraph_gateway_subscriptions")).toBeGreaterThanOrEqual(1);
    expect(before.sum("moneygraph_gateway_upstream_subscriptions")).toBeGreaterThanOrEqual(1);

    await ok(CreateTopupDocument, { input: { accountId: tenant.accountId, amount: "10", currency: "USD" }, key: randomUUID() }, tenant.key);
    await stream.received(1);
    // Every event sent is counted once: wait for the count and the client's events to agree
    // (an event counted as it is sent may still be on its way).
    let after = await gatewayMetrics();
    const deadline = Date.now() + 15_000;
    while (delta(before, after, "moneygraph_gateway_subscription_events_total") !== stream.results.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await gatewayMetrics();
    }
    expect(delta(before, after, "moneygraph_gateway_subscription_events_total")).toBe(stream.results.length);
    expect(
      after.sum("moneygraph_gateway_operations_total", { operation: "BalanceChangedIds", type: "subscription", outcome: "ok" }),
    ).toBeGreaterThanOrEqual(1);

    stream.stop();
    await ws.dispose();
    await until(() => platform.gateway!.socketStats().connections === 0, "the socket to close");
    expect((await gatewayMetrics()).sum("moneygraph_gateway_websocket_connections")).toBe(0);

    const refused = connect(platform.gateway!.url, "sk_test_not_a_real_key");
    clients.push(refused);
    const beforeRefusal = await gatewayMetrics();
    await refused.client.subscribe({ query: "{ __typename }" }, { next: () => {}, error: () => {}, complete: () => {} });
    await until(() => refused.closes.length > 0, "the refused connection to close");
    expect(
      delta(beforeRefusal, await gatewayMetrics(), "moneygraph_gateway_auth_failures_total", { transport: "ws", reason: "invalid_key" }),
    ).toBe(1);
  });
});

describe("the endpoint", () => {
  it("is served on a subgraph's port without a signature, and a scrape is never a GraphQL request or error", async () => {
    const before = await gatewayMetrics();
    const response = await fetch(metricsUrl(subgraphUrl("accounts")));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const post = await fetch(metricsUrl(platform.gateway!.url), { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    const after = await gatewayMetrics();
    expect(after.sum("moneygraph_gateway_http_requests_total")).toBe(before.sum("moneygraph_gateway_http_requests_total"));
    expect(after.sum("moneygraph_gateway_errors_total")).toBe(before.sum("moneygraph_gateway_errors_total"));
    expect(after.sum("graphql_envelop_error_result")).toBe(before.sum("graphql_envelop_error_result"));
  });

  it("is not served with METRICS_ENABLED=false, on the gateway or a subgraph: 404, never a 5xx", async () => {
    const config = { ...platform.config, METRICS_ENABLED: "false" as const };
    const gateway = await extraGateway(platform, { METRICS_ENABLED: "false" });
    const subgraph = await serveSubgraph({
      name: "accounts",
      schema: await buildSubgraph(SUBGRAPHS.accounts),
      deps: { ...platform.deps!, config },
      host: "127.0.0.1",
      port: 0,
    });
    try {
      for (const url of [`http://localhost:${gateway.port}/metrics`, metricsUrl(subgraph.url)]) {
        const response = await fetch(url);
        await response.arrayBuffer();
        expect(response.status, url).toBe(404);
      }
      const typename = await fetch(`http://localhost:${gateway.port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${tenant.key}` },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(typename.status).toBe(200);
    } finally {
      await Promise.all([gateway.stop(), subgraph.stop()]);
    }
  });
});
