// A database outage under a running platform: Postgres stops accepting connections and drops
// every open one. Clients get HTTP 503 with Retry-After and SERVICE_UNAVAILABLE (retryable),
// whether their key was cached or had to be looked up, with the request id in each error; the
// process logs the outage once and its end once (the database's, and the gateway's key lookups'),
// with no stack trace, however many requests flow and however often its workers poll meanwhile;
// and everything works again once the database is back, a mutation retried with its idempotency
// key included.
//
// Postgres only (PGlite runs in-process and cannot go away), on a database of its own: taking
// the run's database offline would fail every other suite running beside this one.

import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startPlatform, type RunningPlatform } from "../cmd/platform.ts";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import type { GraphQLErrorJson } from "./support/client.ts";
import { ADMIN_API_KEY, testConfig } from "./support/platform.ts";
import { openPrivateDatabase, type PrivateDatabase } from "./support/private-database.ts";

interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string };
  worker?: string;
  component?: string;
  [key: string]: unknown;
}

const lines: LogLine[] = [];
let database: PrivateDatabase | undefined;
let platform: RunningPlatform | undefined;

const takeDown = () => database!.takeDown();
const bringBack = () => database!.bringBack();

async function until<T>(attempt: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Answer {
  status: number;
  retryAfter: string | null;
  requestId: string | null;
  data: Record<string, unknown> | null | undefined;
  errors: GraphQLErrorJson[] | undefined;
}

async function graphql(key: string, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(platform!.gateway!.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: GraphQLErrorJson[] };
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    requestId: response.headers.get("x-request-id"),
    data: body.data,
    errors: body.errors,
  };
}

const VIEWER = "{ viewer { id } }";
const CREATE_ACCOUNT = `mutation ($key: String!) {
  createConnectedAccount(idempotencyKey: $key, input: { displayName: "Retried", country: "US", defaultCurrency: "USD" }) { id }
}`;

function expectUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
  expect(answer.data ?? null).toBeNull();
  expect(answer.errors?.length).toBeGreaterThan(0);
  for (const error of answer.errors!) {
    expect(error.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true, requestId: answer.requestId });
    expect(error.message).not.toMatch(/database|postgres|connection|accepting/i);
  }
}

beforeAll(async () => {
  database = await openPrivateDatabase("moneygraph_outage");
  const db = database.db;
  // A long key cache: the first key stays cached through the outage (the request reaches the
  // subgraphs), the second has to be looked up (the request stops at authentication).
  const config = testConfig({ AUTH_CACHE_TTL_MS: String(10 * 60_000) });
  const logger = pino({ level: "info", base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  platform = await startPlatform({ config, logger, subgraphs: SUBGRAPH_NAMES, gateway: true, ephemeralSubgraphPorts: true, db });
});

afterAll(async () => {
  await database?.bringBack().catch(() => {});
  await platform?.stop();
  await database?.close();
});

describe("a database outage", () => {
  it("answers 503 with Retry-After and SERVICE_UNAVAILABLE, logs once, and recovers", async () => {
    const created = await graphql(
      ADMIN_API_KEY,
      `
        mutation {
          createPlatform(input: { displayName: "Outage", country: "US", defaultCurrency: "USD" }) {
            secretKey
            account {
              id
            }
          }
        }
      `,
    );
    const { secretKey: cachedKey, account } = (created.data as { createPlatform: { secretKey: string; account: { id: string } } })
      .createPlatform;
    expect((await graphql(cachedKey, VIEWER)).data).toEqual({ viewer: { id: account.id } });
    const second = await graphql(
      cachedKey,
      `
        mutation ($key: String!) {
          createApiKey(input: { name: "unused" }, idempotencyKey: $key) {
            secret
          }
        }
      `,
      { key: randomUUID() },
    );
    const uncachedKey = (second.data as { createApiKey: { secret: string } }).createApiKey.secret;
    const idempotencyKey = randomUUID();
    const outageStart = lines.length;

    await takeDown();
    expectUnavailable(
      await until(
        () => graphql(cachedKey, VIEWER),
        (answer) => answer.status !== 200,
        "the outage to show",
      ),
    );
    expectUnavailable(await graphql(cachedKey, VIEWER));
    expectUnavailable(await graphql(uncachedKey, VIEWER));
    expectUnavailable(await graphql(cachedKey, CREATE_ACCOUNT, { key: idempotencyKey }));
    // Only part of the operation failed (the asset table needs no database): a partial result, 200.
    const partial = await graphql(cachedKey, `{ cryptoAssets { asset } account(id: "${account.id}") { id } }`);
    expect(partial.status).toBe(200);
    expect(partial.retryAfter).toBeNull();
    expect(partial.data).toMatchObject({ cryptoAssets: expect.arrayContaining([{ asset: "BTC" }]), account: null });
    expect(partial.errors).toEqual([
      expect.objectContaining({ path: ["account"], extensions: expect.objectContaining({ code: "SERVICE_UNAVAILABLE", retryable: true }) }),
    ]);
    // A few seconds of requests flowing, cached key and not, queries and mutations: not one of
    // them may add a line of its own beyond its access line.
    const reports = vi.spyOn(platform!.deps!.outage, "report");
    const flowUntil = Date.now() + 3_000;
    let flowed = 0;
    while (Date.now() < flowUntil) {
      const answers = await Promise.all([
        graphql(cachedKey, VIEWER),
        graphql(uncachedKey, VIEWER),
        graphql(cachedKey, CREATE_ACCOUNT, { key: randomUUID() }),
      ]);
      for (const answer of answers) expectUnavailable(answer);
      flowed += answers.length;
    }
    expect(flowed).toBeGreaterThanOrEqual(9);
    // Long enough for every worker to have run into it many times.
    await until(
      async () => reports.mock.calls.length,
      (count) => count >= 12,
      "workers to poll into the outage",
    );
    const duringOutage = lines.slice(outageStart);

    await bringBack();
    const recovered = await until(
      () => graphql(cachedKey, VIEWER),
      (answer) => answer.status === 200,
      "the platform to recover",
    );
    expect(recovered.data).toEqual({ viewer: { id: account.id } });
    expect((await graphql(uncachedKey, VIEWER)).data).toEqual({ viewer: { id: account.id } });
    const databaseBack = (line: LogLine) => /^database reachable again after \d+ ms$/.test(line.msg);
    await until(
      async () => lines.filter(databaseBack).length,
      (count) => count > 0,
      "the end of the outage to be logged",
    );
    // The mutation refused during the outage, retried with its key: runs once, then replays.
    const retried = await graphql(cachedKey, CREATE_ACCOUNT, { key: idempotencyKey });
    expect(retried.status).toBe(200);
    const replayed = await graphql(cachedKey, CREATE_ACCOUNT, { key: idempotencyKey });
    expect(replayed.data).toEqual(retried.data);

    const logged = lines.slice(outageStart);
    // Once when it starts and once when it ends: the database, as the subgraphs' process saw it,
    // and the key lookups, as the gateway saw them.
    const outageLines = {
      databaseDown: logged.filter((line) => /^database unreachable/.test(line.msg)),
      databaseBack: logged.filter(databaseBack),
      authenticationDown: logged.filter((line) => /^authentication unavailable/.test(line.msg)),
      authenticationBack: logged.filter((line) => /^authentication available again after \d+ ms$/.test(line.msg)),
    };
    for (const each of Object.values(outageLines)) {
      expect(each).toHaveLength(1);
      expect(each[0]!.level).toBeGreaterThanOrEqual(40);
    }
    expect(outageLines.databaseBack[0]!["downForMs"]).toBeGreaterThanOrEqual(3_000);
    // Nothing else above info, and not one stack trace: no line per request, per poll or per
    // event read (the access lines are info).
    expect(logged.filter((line) => line.level >= 40)).toEqual(expect.arrayContaining(Object.values(outageLines).flat()));
    expect(logged.filter((line) => line.level >= 40)).toHaveLength(4);
    expect(logged.filter((line) => line.err !== undefined || JSON.stringify(line).includes("    at "))).toEqual([]);
    expect(duringOutage.filter((line) => line.msg === "request").length).toBeGreaterThanOrEqual(flowed);
  });
});
