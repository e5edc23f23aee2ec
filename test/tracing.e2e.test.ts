// OpenTelemetry traces end to end: a platform of its own (gateway and four subgraphs) started
// with tracing on, an in-memory exporter behind the real redaction, and requests over HTTP and
// graphql-ws. One trace per request, from the gateway through each subgraph to each SQL
// statement, continuing a client's trace; nothing secret in any span.

import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { print } from "graphql";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import { setupTracing, type Tracing } from "../subgraphs/shared/tracing/setup.ts";
import { BalanceChangedDocument, BalanceChangedIdsDocument, CreateTopupDocument, ViewerDocument } from "./generated/graphql.ts";
import { newPlatform, type TestTenant } from "./support/client.ts";
import { ADMIN_API_KEY, testPlatform } from "./support/platform.ts";
import { spawnEntry, stopSpawned, viewerThrough } from "./support/processes.ts";
import { connect, extraGateway, privatePlatform, Recorder, until, type TestWsClient } from "./support/subscriptions.ts";

let exporter: InMemorySpanExporter;
let tracing: Tracing | undefined;
let platform: RunningPlatform | undefined;
let tenant: TestTenant;
const clients: TestWsClient[] = [];
/** Values sent in variables: none may appear in any span. */
const variableValues: string[] = [];

beforeAll(async () => {
  // The worker's shared platform (which creates our tenant) starts before tracing is on: only the
  // platform started below is traced.
  await testPlatform();
  tenant = await newPlatform("Tracing Platform");
  exporter = new InMemorySpanExporter();
  tracing = setupTracing({ serviceName: "moneygraph-test", exporter, batching: false });
  platform = await privatePlatform();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await platform?.stop();
  await tracing?.shutdown();
});

async function post(
  body: unknown,
  headers: Record<string, string> = {},
  url = platform!.gateway!.url,
): Promise<{ status: number; json: { data?: unknown; errors?: unknown[] } }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tenant.key}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { data?: unknown; errors?: unknown[] } };
}

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const component = (span: ReadableSpan) => span.attributes["moneygraph.component"];
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (traceId: string) => spans().filter((span) => span.spanContext().traceId === traceId);

/** The spans whose parent is not in the trace. */
function rootsOf(trace: readonly ReadableSpan[]): ReadableSpan[] {
  const ids = new Set(trace.map(idOf));
  return trace.filter((span) => !span.parentSpanContext || !ids.has(span.parentSpanContext.spanId));
}

/**
 * Waits until the trace has spans matching every predicate and no span waits for its parent to
 * end (a subgraph's request span ends a moment after the gateway has its answer).
 */
async function traceWith(traceId: () => string | undefined, ...wanted: ((span: ReadableSpan) => boolean)[]): Promise<ReadableSpan[]> {
  try {
    await until(
      () => {
        const id = traceId();
        if (id === undefined) return false;
        const trace = traceOf(id);
        return wanted.every((predicate) => trace.some(predicate)) && rootsOf(trace).length === 1;
      },
      "the trace's spans",
      30_000,
    );
  } catch (error) {
    const id = traceId();
    const names =
      id === undefined
        ? "no trace yet"
        : traceOf(id)
            .map((span) => span.name)
            .join(", ");
    throw new Error(`${(error as Error).message}; spans so far: ${names}`, { cause: error });
  }
  return traceOf(traceId()!);
}

// The upstream subscription's span: anonymous from the Rust planner, named by the JS planner.
const UPSTREAM_SUBSCRIPTION = /^graphql-ws (subscription|BalanceChanged|BalanceChangedIds) \(balances\)$/;
const named = (pattern: RegExp) => (span: ReadableSpan) => pattern.test(span.name);
const isSql = (span: ReadableSpan) => span.attributes["db.system.name"] === "postgresql";

/** Every span's parent is in the trace, except the root's (which may be a client's remote span). */
function expectOneTree(trace: readonly ReadableSpan[], rootParent?: string): ReadableSpan {
  const roots = rootsOf(trace);
  expect(roots.map((span) => span.name)).toHaveLength(1);
  const root = roots[0]!;
  expect(component(root)).toBe("gateway");
  expect(root.parentSpanContext?.spanId).toBe(rootParent);
  return root;
}

function parentOf(trace: readonly ReadableSpan[], span: ReadableSpan): ReadableSpan {
  const parent = trace.find((candidate) => idOf(candidate) === span.parentSpanContext?.spanId);
  expect(parent, `the parent of ${span.name}`).toBeDefined();
  return parent!;
}

/** The nearest ancestor of `span` made by another component. */
function crossingFrom(trace: readonly ReadableSpan[], span: ReadableSpan): ReadableSpan {
  let parent = parentOf(trace, span);
  while (component(parent) === component(span)) parent = parentOf(trace, parent);
  return parent;
}

const traceparent = () => ({ traceId: randomBytes(16).toString("hex"), spanId: randomBytes(8).toString("hex") });

describe("a query through the gateway", () => {
  it("is one trace: the gateway's spans, each subgraph's request and operation, and its SQL statements", async () => {
    const result = await post({ query: print(ViewerDocument) });
    expect(result.json.errors).toBeUndefined();

    const traceId = () =>
      spans()
        .find((span) => span.name === "graphql.operation Viewer")
        ?.spanContext().traceId;
    const trace = await traceWith(
      traceId,
      named(/^POST \/graphql \(accounts\)$/),
      named(/^POST \/graphql \(balances\)$/),
      // The Rust planner sends subgraphs anonymous operations, the JS planner the client's name.
      named(/^graphql\.operation (query|Viewer) \(accounts\)$/),
      named(/^graphql\.operation (query|Viewer) \(balances\)$/),
      isSql,
    );

    const root = expectOneTree(trace);
    expect(root.name).toBe("POST /graphql");
    for (const name of [
      "graphql.parse",
      "graphql.validate",
      "graphql.execute",
      "subgraph.execute (accounts)",
      "subgraph.execute (balances)",
      "http.fetch",
    ]) {
      expect(
        trace.find((span) => span.name === name && component(span) === "gateway"),
        name,
      ).toBeDefined();
    }
    // Each subgraph's request continues a gateway span (the upstream fetch), and its operation is inside it.
    for (const subgraph of ["accounts", "balances"]) {
      const requests = trace.filter((span) => span.name === `POST /graphql (${subgraph})`);
      for (const request of requests) {
        expect(component(request)).toBe(subgraph);
        expect(component(parentOf(trace, request))).toBe("gateway");
        expect(request.attributes["http.response.status_code"]).toBe(200);
      }
      const operations = trace.filter((span) => span.name.startsWith("graphql.operation") && component(span) === subgraph);
      expect(operations.length).toBeGreaterThan(0);
      for (const operation of operations) expect(requests.map(idOf)).toContain(operation.parentSpanContext?.spanId);
    }
    // Statements are children of a subgraph's operation (or of a transaction inside one).
    const statements = trace.filter(isSql);
    for (const statement of statements) {
      expect(statement.attributes["db.operation.name"]).toMatch(/^[A-Z]+$/);
      expect(statement.attributes["db.query.text"]).toEqual(expect.any(String));
      expect(["accounts", "balances"]).toContain(component(crossingFrom(trace, statement)));
      let parent = parentOf(trace, statement);
      while (parent.name === "transaction") parent = parentOf(trace, parent);
      expect(parent.name).toMatch(/^graphql\.operation .* \((accounts|balances)\)$/);
    }
    expect(new Set(trace.map((span) => span.resource.attributes["service.name"]))).toEqual(new Set(["moneygraph-test"]));
  });

  it("continues a client's trace from its traceparent header", async () => {
    const client = traceparent();
    const result = await post({ query: print(ViewerDocument) }, { traceparent: `00-${client.traceId}-${client.spanId}-01` });
    expect(result.json.errors).toBeUndefined();

    const trace = await traceWith(
      () => client.traceId,
      named(/^POST \/graphql \(accounts\)$/),
      named(/^POST \/graphql \(balances\)$/),
      isSql,
    );
    const root = expectOneTree(trace, client.spanId);
    expect(root.name).toBe("POST /graphql");
  });
});

describe("a query through a gateway calling its process's subgraphs directly (SUBGRAPH_TRANSPORT=in-process)", () => {
  it("is one trace: each subgraph's operation inside the gateway's subgraph.execute, its statements inside the operation", async () => {
    const inProcess = await privatePlatform({ SUBGRAPH_TRANSPORT: "in-process" });
    try {
      const client = traceparent();
      const result = await post(
        { query: print(ViewerDocument) },
        { traceparent: `00-${client.traceId}-${client.spanId}-01` },
        inProcess.gateway!.url,
      );
      expect(result.json.errors).toBeUndefined();
      const trace = await traceWith(
        () => client.traceId,
        named(/^graphql\.operation (query|Viewer) \(accounts\)$/),
        named(/^graphql\.operation (query|Viewer) \(balances\)$/),
        isSql,
      );
      expectOneTree(trace, client.spanId);
      // No HTTP in between: no fetch by the runtime, and the one request a subgraph receives is
      // this new gateway's key check (its Authenticate operation), not a part of the query.
      expect(trace.filter((span) => span.name === "http.fetch")).toEqual([]);
      const overHttp = trace.filter(
        (span) => span.name.startsWith("graphql.operation") && /^POST \/graphql \(/.test(parentOf(trace, span).name),
      );
      expect(overHttp.map((span) => span.name)).toEqual(["graphql.operation Authenticate (accounts)"]);
      for (const subgraph of ["accounts", "balances"]) {
        const operations = trace.filter((span) => span.name.startsWith("graphql.operation") && component(span) === subgraph);
        expect(operations.length).toBeGreaterThan(0);
        for (const operation of operations.filter((span) => !overHttp.includes(span)))
          expect(parentOf(trace, operation).name).toBe(`subgraph.execute (${subgraph})`);
      }
      for (const statement of trace.filter(isSql)) {
        let parent = parentOf(trace, statement);
        while (parent.name === "transaction") parent = parentOf(trace, parent);
        expect(parent.name).toMatch(/^graphql\.operation .* \((accounts|balances)\)$/);
      }
    } finally {
      await inProcess.stop();
    }
  });
});

describe("a subscription over graphql-ws", () => {
  it("carries the client's trace (subscribe extensions, or connectionParams) to the balances subgraph and its SQL", async () => {
    const viaExtensions = traceparent();
    const viaConnection = traceparent();
    const byMessage = connect(platform!.gateway!.url, tenant.key);
    const byConnection = connect(platform!.gateway!.url, undefined, {
      connectionParams: { authorization: `Bearer ${tenant.key}`, traceparent: `00-${viaConnection.traceId}-${viaConnection.spanId}-01` },
    });
    clients.push(byMessage, byConnection);

    const first = byMessage.client.subscribe(
      {
        query: print(BalanceChangedDocument),
        variables: { accountId: tenant.accountId },
        extensions: { traceparent: `00-${viaExtensions.traceId}-${viaExtensions.spanId}-01` },
      },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
    // Another operation (identical ones share one upstream execution, traced once).
    const second = new Recorder(byConnection.client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    try {
      for (const client of [viaExtensions, viaConnection]) {
        const trace = await traceWith(
          () => client.traceId,
          named(/^subgraph\.execute \(balances\)$/),
          named(UPSTREAM_SUBSCRIPTION),
          (span) => isSql(span) && component(crossingFrom(traceOf(client.traceId), span)) === "balances",
        );
        const root = expectOneTree(trace, client.spanId);
        expect(root.name).toBe("graphql-ws /graphql");
        // The subscription, and the query that finds its start position first (resumable.ts).
        const upstreams = trace.filter((span) => span.name.startsWith("graphql-ws ") && component(span) === "balances");
        expect(upstreams.some((span) => UPSTREAM_SUBSCRIPTION.test(span.name))).toBe(true);
        for (const upstream of upstreams) {
          expect(component(upstream)).toBe("balances");
          expect(parentOf(trace, upstream).name).toBe("subgraph.execute (balances)");
        }
      }
    } finally {
      first();
      second.stop();
    }
  });

  it("traces a query sent over the socket like one sent over HTTP", async () => {
    const client = traceparent();
    const socket = connect(platform!.gateway!.url, tenant.key);
    clients.push(socket);
    const result = await new Promise<{ errors?: unknown }>((resolve, reject) => {
      socket.client.subscribe(
        { query: print(ViewerDocument), extensions: { traceparent: `00-${client.traceId}-${client.spanId}-01` } },
        { next: resolve, error: reject, complete: () => {} },
      );
    });
    expect(result.errors).toBeUndefined();
    const trace = await traceWith(
      () => client.traceId,
      named(/^POST \/graphql \(accounts\)$/),
      named(/^POST \/graphql \(balances\)$/),
      isSql,
    );
    expect(expectOneTree(trace, client.spanId).name).toBe("graphql-ws /graphql");
    expect(trace.find((span) => span.name === "graphql.operation Viewer")).toBeDefined();
  });
});

describe("what spans record", () => {
  it("holds no API key, gateway secret, signature or value a client sent, in any attribute, event or status", async () => {
    const secretText = `tracing-secret-${randomUUID()}`;
    const secretAmount = String(900_000_000 + Math.floor(Math.random() * 99_999_999));
    variableValues.push(secretText, secretAmount);
    const topup = await post({
      query: print(CreateTopupDocument),
      variables: {
        input: { accountId: tenant.accountId, amount: secretAmount, currency: "USD", description: secretText },
        key: `key-${secretText}`,
      },
    });
    expect(topup.json.errors).toBeUndefined();
    // A value GraphQL refuses is quoted in its error message.
    const refusedValue = `not-a-number-${randomUUID()}`;
    variableValues.push(refusedValue);
    const refused = await post({
      query: "query History($id: ID!, $first: Int) { account(id: $id) { id } }",
      variables: { id: tenant.accountId, first: refusedValue },
    });
    expect(refused.json.errors).toBeDefined();
    // A value written inline in the document rather than in a variable.
    const literal = `literal-${randomUUID()}`;
    await post({ query: `{ account(id: "${literal}") { id } }` });
    // …and in a GET's query string.
    const getUrl = new URL(platform!.gateway!.url);
    getUrl.searchParams.set("query", `{ account(id: "${literal}") { id } }`);
    await fetch(getUrl, { headers: { authorization: `Bearer ${tenant.key}` } });

    await until(
      () =>
        spans().some((span) => span.attributes["db.query.text"] !== undefined && /INSERT/i.test(String(span.attributes["db.query.text"]))),
      "the top-up's statements",
      30_000,
    );
    await until(() => spans().some((span) => span.name === "GET /graphql"), "the GET's span", 30_000);

    const forbidden = [tenant.key, ADMIN_API_KEY, platform!.config.gatewaySecret, literal, ...variableValues];
    const everything = spans().map((span) =>
      JSON.stringify({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
        links: span.links,
        resource: span.resource.attributes,
      }),
    );
    expect(everything.length).toBeGreaterThan(20);
    for (const recorded of everything) {
      for (const value of forbidden) expect(recorded).not.toContain(value);
      // No signature (an HMAC in hex) and no principal header (x-mg-*).
      expect(recorded).not.toMatch(/[0-9a-f]{64}/);
      expect(recorded.toLowerCase()).not.toContain("x-mg-");
      expect(recorded.toLowerCase()).not.toContain("authorization");
    }
    // The document with the literal is there, the literal hidden.
    expect(spans().some((span) => span.attributes["graphql.document"] === '{\n  account(id: "") {\n    id\n  }\n}')).toBe(true);
  });
});

describe("identical queries in flight", () => {
  it("share one execution even when each continues a trace of its own (traceparent is not part of the key)", async () => {
    // The accounts subgraph behind a gate: the first query's execution stays in flight until the
    // second has joined it (or started its own).
    const accountsUrl = platform!.config.subgraphUrls.accounts;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let arrived = 0;
    const proxy = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", async () => {
        arrived += 1;
        await gate;
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            ([name, value]) => typeof value === "string" && !["host", "connection", "content-length"].includes(name),
          ),
        ) as Record<string, string>;
        const answer = await fetch(accountsUrl, { method: "POST", headers, body });
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" }).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const gateway = await extraGateway(
      platform!,
      { subgraphUrls: { ...platform!.config.subgraphUrls, accounts: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql` } },
      { authenticationUrl: accountsUrl },
    );
    try {
      const send = (client: { traceId: string; spanId: string }) =>
        post({ query: print(ViewerDocument) }, { traceparent: `00-${client.traceId}-${client.spanId}-01` }, gateway.url).then(
          (result) => result.json,
        );
      const [first, second] = [traceparent(), traceparent()];
      const firstResult = send(first);
      await until(() => arrived === 1, "the first query at the gate");
      const secondResult = send(second);
      // Its context is built: it executes next (joining the first, or not) before anything else runs.
      await until(() => traceOf(second.traceId).some((span) => span.name === "graphql.context"), "the second query to execute");
      open();
      const [a, b] = await Promise.all([firstResult, secondResult]);
      expect(a.errors).toBeUndefined();
      expect(b).toEqual(a);
      // The second ran no plan of its own (identical subgraph fetches are shared anyway, one level down).
      await until(() => traceOf(first.traceId).some((span) => span.name === "POST /graphql"), "the first request's span");
      expect(traceOf(first.traceId).map((span) => span.name)).toContain("subgraph.execute (accounts)");
      expect(traceOf(second.traceId).map((span) => span.name)).not.toContain("subgraph.execute (accounts)");
    } finally {
      open();
      await gateway.stop();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe("npm start with OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  let collector: Server | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "moneygraph-tracing-"));
  afterEach(stopSpawned);
  afterAll(async () => {
    await new Promise((resolve) => (collector ? collector.close(resolve) : resolve(undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("exports its spans over OTLP/HTTP as service moneygraph, and the last ones when it stops", async () => {
    // A stand-in collector: OTLP/HTTP JSON export requests, as the exporter sends them.
    const received: { service: unknown; names: string[] }[] = [];
    collector = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const request = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: { name: string }[] }[];
          }[];
        };
        for (const resourceSpans of request.resourceSpans) {
          const service = resourceSpans.resource.attributes.find((attribute) => attribute.key === "service.name")?.value.stringValue;
          received.push({ service, names: resourceSpans.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)) });
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => collector!.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

    const started = spawnEntry("cmd/all-in-one.ts", [], {
      PORT: "0",
      DATA_DIR: dataDir,
      DATABASE_URL: inject("databaseUrl"),
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    });
    const [, key] = await started.waitFor(/Demo secret key\s+(sk_test_\w+)/);
    const port = Number((await started.waitFor(/Explorer\s+http:\/\/localhost:(\d+)\/graphql/))[1]);
    expect(await viewerThrough(port, key!)).toMatchObject({ data: { viewer: { displayName: "Demo Platform" } } });
    // Batched: the rest is exported when the process stops.
    expect(await started.stop("SIGINT")).toBe(0);

    const names = received.flatMap((batch) => batch.names);
    expect(new Set(received.map((batch) => batch.service))).toEqual(new Set(["moneygraph"]));
    // The accounts subgraph's HTTP request is the gateway's key check; the gateway calls the
    // subgraphs of its own process directly (SUBGRAPH_TRANSPORT), so their operations are its children.
    for (const name of [
      "POST /graphql",
      "subgraph.execute (accounts)",
      "POST /graphql (accounts)",
      "subgraph.execute (balances)",
      "SELECT",
    ])
      expect(names).toContain(name);
    expect(names.some((name) => /^graphql\.operation (query|Viewer) \(balances\)$/.test(name))).toBe(true);
  }, 600_000);
});
