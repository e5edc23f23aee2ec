// Text Postgres cannot store (U+0000 anywhere, unpaired UTF-16 surrogates) in every kind of input,
// through the gateway over HTTP and graphql-ws: a typed BAD_USER_INPUT naming the argument,
// nothing stored, nothing logged at error level. A platform of its own, so that its log is ours.

import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlatform, type RunningPlatform } from "../cmd/platform.ts";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { newPlatform, type TestTenant } from "./support/client.ts";
import { testDatabase } from "./support/database.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { testConfig } from "./support/platform.ts";
import { connect } from "./support/subscriptions.ts";

const NUL = "\u0000";
const HIGH = "\ud800"; // a high surrogate with nothing after it
const LOW = "\udc00"; // a low surrogate with nothing before it

let platform: RunningPlatform;
let tenant: TestTenant;
let seller: string;
const logLines: { level: number; msg?: string }[] = [];

interface Answer {
  status: number;
  errors?: { message: string; path?: unknown[]; extensions?: { code?: string; argument?: string } }[];
  data?: unknown;
}

async function post(query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(platform.gateway!.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tenant.key}` },
    // JSON.stringify writes a lone surrogate as its \uXXXX escape, which JSON.parse reads back as one.
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, "status">) };
}

/** What a refused request could have written for the tenant. */
async function footprint() {
  const db = await testDatabase();
  const tenantId = tenant.accountId;
  const [accounts, transfers, topups, holds, keys] = await Promise.all([
    db.prisma.account.count({ where: { platformId: tenantId } }),
    db.prisma.transfer.count({ where: { tenantId } }),
    db.prisma.topup.count({ where: { tenantId } }),
    db.prisma.hold.count({ where: { tenantId } }),
    db.prisma.idempotencyKey.count({ where: { scope: { startsWith: tenantId } } }),
  ]);
  return { accounts, transfers, topups, holds, keys };
}

function expectRefused(answer: Answer, argument: string) {
  expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  expect(answer.errors?.[0]?.extensions?.argument).toBe(argument);
  expect(answer.data ?? null).toBeNull();
  expect(answer.status).toBeLessThan(500);
}

beforeAll(async () => {
  const config = testConfig({ LOG_LEVEL: "warn" });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) logLines.push(JSON.parse(line) as { level: number });
      done();
    },
  });
  platform = await startPlatform({
    config,
    logger: pino({ level: "warn", base: undefined }, sink),
    subgraphs: SUBGRAPH_NAMES,
    gateway: true,
    ephemeralSubgraphPorts: true,
    db: await testDatabase(),
  });
  tenant = await newPlatform(`Text ${randomBytes(3).toString("hex")}`);
  seller = await insertConnectedAccount({ tenantId: tenant.accountId });
});

afterAll(async () => {
  await platform?.stop();
});

const CREATE_CONNECTED = `mutation($input: CreateConnectedAccountInput!, $key: String!) {
  createConnectedAccount(input: $input, idempotencyKey: $key) { id }
}`;
const connected = (overrides: Record<string, unknown>) => ({ displayName: "Jane", country: "US", defaultCurrency: "USD", ...overrides });
const CREATE_TRANSFER = `mutation($input: CreateTransferInput!, $key: String!) {
  createTransfer(input: $input, idempotencyKey: $key) { id }
}`;
const CREATE_HOLD = `mutation($input: CreateHoldInput!, $key: String!) { createHold(input: $input, idempotencyKey: $key) { id } }`;
const CREATE_TOPUP = `mutation($input: CreateTopupInput!, $key: String!) { createTopup(input: $input, idempotencyKey: $key) { id } }`;

describe("unstorable text in any input", () => {
  it("is refused in a description (a lone surrogate), naming the argument, before any transfer is batched or hold made", async () => {
    const before = await footprint();
    for (const bad of [`refund ${HIGH}`, `${LOW} refund`, `refund ${NUL}`]) {
      const answer = await post(CREATE_TRANSFER, {
        input: { destinationAccountId: seller, amount: "1", currency: "USD", description: bad },
        key: randomUUID(),
      });
      expectRefused(answer, "input.description");
      const hold = await post(CREATE_HOLD, {
        input: { accountId: seller, amount: "1", currency: "USD", description: bad },
        key: randomUUID(),
      });
      expectRefused(hold, "input.description");
    }
    expect(await footprint()).toEqual(before);
  });

  it("is refused in idempotency keys, so two keys differing only in unpaired surrogates never become one", async () => {
    const before = await footprint();
    for (const key of [`key-${HIGH}`, `key-${LOW}`, `key-${NUL}`]) {
      const answer = await post(CREATE_TOPUP, { input: { accountId: tenant.accountId, amount: "100", currency: "USD" }, key });
      expectRefused(answer, "idempotencyKey");
    }
    expect(await footprint()).toEqual(before);
  });

  it("is refused in names, emails and metadata keys and values", async () => {
    const before = await footprint();
    const cases: [Record<string, unknown>, string][] = [
      [{ displayName: `Jane ${HIGH}` }, "input.displayName"],
      [{ email: `jane${NUL}@example.com` }, "input.email"],
      [{ metadata: { note: `a${NUL}b` } }, "input.metadata.note"],
      [{ metadata: { [`k${LOW}`]: "v" } }, "input.metadata (a key)"],
      [{ metadata: { list: [`x${HIGH}`] } }, "input.metadata.list.0"],
    ];
    for (const [overrides, argument] of cases) {
      expectRefused(await post(CREATE_CONNECTED, { input: connected(overrides), key: randomUUID() }), argument);
    }
    expect(await footprint()).toEqual(before);
  });

  it("is refused in ids, as variables and as literals in the document", async () => {
    expectRefused(await post(`query($id: ID!) { account(id: $id) { id } }`, { id: `acct_${NUL}` }), "id");
    expectRefused(await post(`query($id: ID!) { account(id: $id) { id } }`, { id: `acct_${HIGH}` }), "id");
    // A GraphQL string literal may spell NUL as an escape.
    expectRefused(await post(`{ account(id: "acct_\\u0000") { id } }`), "id");
    expectRefused(
      await post(`{ a: viewer { id } b: account(id: "acct_x") { connectedAccounts(after: "c\\u0000") { edges { cursor } } } }`),
      "after",
    );
  });

  it("is refused in a subscription's arguments over graphql-ws", async () => {
    const ws = connect(platform.gateway!.url, tenant.key);
    try {
      const errors = await new Promise<unknown>((resolve, reject) => {
        ws.client.subscribe(
          { query: `subscription($id: ID!) { balanceChanged(accountId: $id) { id } }`, variables: { id: `acct_${NUL}` } },
          { next: (value) => resolve(value.errors), error: resolve, complete: () => reject(new Error("completed without an error")) },
        );
      });
      const list = errors as { extensions?: { code?: string; argument?: string } }[];
      expect(list.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
      expect(list[0]?.extensions?.argument).toBe("accountId");
    } finally {
      await ws.dispose();
    }
  });

  it("control characters in an email are refused like in every other text field", async () => {
    const answer = await post(CREATE_CONNECTED, { input: connected({ email: "jane\u0007@example.com" }), key: randomUUID() });
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  });

  it("never reached the logs at error level", () => {
    expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
  });
});
