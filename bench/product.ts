// The product as a benchmark meets it: the all-in-one process (`npm start`'s) of a checkout on a
// Postgres database of its own, in production mode, a platform seeded through the API, and the
// operations a dashboard and a partner send. Shared by bench:dashboard and bench:gateway.

import { randomBytes, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { spawnEntry, type Spawned } from "../cmd/spawn.ts";
import type { Checkout } from "./checkouts.ts";
import { INSPECTOR_LISTENING } from "./profile.ts";
import { freshDatabase, type BenchDatabase } from "./support.ts";

/** A dashboard's first page: the viewer, its balances, 50 connected accounts with their balances and bank accounts, 20 balance transactions. */
export const DASHBOARD_QUERY = `query Dashboard {
  viewer {
    id displayName
    balances { currency available { amount decimal } pending { amount } }
    connectedAccounts(first: 50) {
      edges { node { id displayName status balances { currency available { amount } } externalAccounts { id last4 bankName currency } } }
    }
    balanceTransactions(first: 20) { edges { node { id type amount { amount currency } net { amount } createdAt } } }
  }
}`;

export const TRANSFER_MUTATION = `mutation Transfer($input: CreateTransferInput!, $key: String!) { createTransfer(input: $input, idempotencyKey: $key) { id } }`;

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** Closes the keep-alive sockets (at the end of a benchmark, so its process can exit). */
export function closeConnections(): void {
  agent.destroy();
}

/** The first GraphQL error's code in an answer's body, if it has one. */
function graphqlErrorCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
  } catch {
    return undefined;
  }
}

/**
 * One POST to /graphql; resolves the body, rejects on a non-200 or a GraphQL error (its `code`:
 * the first error's code, else HTTP_<status>).
 */
export function post(port: number, body: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/graphql", method: "POST", agent, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200 || text.includes('"errors"'))
            reject(
              Object.assign(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`), {
                code: graphqlErrorCode(text) ?? `HTTP_${res.statusCode}`,
              }),
            );
          else resolve(text);
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export interface RunningProduct {
  readonly checkout: Checkout;
  readonly port: number;
  readonly pid: number;
  readonly adminKey: string;
  /** Its inspector's WebSocket URL, when started with `inspect` (bench/profile.ts's `profiled`). */
  readonly inspectorUrl?: string;
  stop(): Promise<void>;
}

/**
 * The checkout's all-in-one process on a fresh database of DATABASE_URL's server (migrated by
 * the process itself: each commit its own migrations), in production mode with keys of its own
 * for this run, rate limits off. `env` adds or overrides settings; `inspect` opens its inspector
 * on a loopback port of its own, for a CPU profile of the measured part only.
 */
export async function startProduct(
  checkout: Checkout,
  serverUrl: string,
  env: Record<string, string> = {},
  options: { readonly inspect?: boolean } = {},
): Promise<RunningProduct> {
  const database: BenchDatabase = await freshDatabase(serverUrl, 1);
  const adminKey = `admin_${randomBytes(16).toString("hex")}`;
  let child: Spawned | undefined;
  try {
    child = spawnEntry(
      "cmd/all-in-one.ts",
      [],
      {
        NODE_ENV: "production",
        ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
        FINGERPRINT_KEY: randomBytes(32).toString("base64"),
        DATABASE_URL: database.url,
        PORT: "0",
        HOST: "127.0.0.1",
        SEED_DEMO: "false",
        ADMIN_API_KEY: adminKey,
        GATEWAY_SECRET: randomBytes(32).toString("hex"),
        RATE_LIMIT_PER_SECOND: "0",
        AUTH_FAILURES_PER_MINUTE: "0",
        SETTLEMENT_DELAY_MS: "0",
        LOG_LEVEL: "warn",
        ...env,
        ...checkout.env,
      },
      options.inspect ? ["--inspect=127.0.0.1:0"] : [],
      checkout.root,
    );
    const port = Number((await child.waitFor(/http:\/\/localhost:(\d+)\/graphql/))[1]);
    const inspectorUrl = options.inspect ? (await child.waitFor(INSPECTOR_LISTENING))[1] : undefined;
    const running = child;
    return {
      checkout,
      port,
      pid: running.child.pid!,
      adminKey,
      ...(inspectorUrl ? { inspectorUrl } : {}),
      async stop() {
        const killer = setTimeout(() => running.child.kill("SIGKILL"), 15_000);
        await running.stop("SIGTERM");
        clearTimeout(killer);
        await database.drop();
      },
    };
  } catch (error) {
    if (child) await child.stop("SIGKILL");
    await database.drop();
    throw error;
  }
}

export interface SeededPlatform {
  /** Its secret key. */
  readonly key: string;
  readonly accountId: string;
  readonly connected: string[];
}

/**
 * A platform with `accounts` connected accounts, each with a bank account and a balance (a
 * transfer from the platform's top-up), through the API: what DASHBOARD_QUERY shows.
 */
export async function seedPlatform(port: number, adminKey: string, accounts = 50): Promise<SeededPlatform> {
  const call = async <T>(key: string, query: string, variables: Record<string, unknown>) =>
    (JSON.parse(await post(port, JSON.stringify({ query, variables }), { authorization: `Bearer ${key}` })) as { data: T }).data;
  const created = await call<{ createPlatform: { secretKey: string; account: { id: string } } }>(
    adminKey,
    `mutation($input: CreatePlatformInput!) { createPlatform(input: $input) { secretKey account { id } } }`,
    { input: { displayName: "Bench Platform", country: "US", defaultCurrency: "USD" } },
  );
  const key = created.createPlatform.secretKey;
  const accountId = created.createPlatform.account.id;
  await call(key, `mutation($input: CreateTopupInput!, $key: String!) { createTopup(input: $input, idempotencyKey: $key) { id } }`, {
    input: { accountId, amount: "1000000000000", currency: "USD" },
    key: randomUUID(),
  });
  const connected: string[] = [];
  for (let i = 0; i < accounts; i++) {
    const account = await call<{ createConnectedAccount: { id: string } }>(
      key,
      `mutation($input: CreateConnectedAccountInput!, $key: String!) { createConnectedAccount(input: $input, idempotencyKey: $key) { id } }`,
      { input: { displayName: `Seller ${i}`, country: "US", defaultCurrency: "USD" }, key: randomUUID() },
    );
    const id = account.createConnectedAccount.id;
    connected.push(id);
    await call(
      key,
      `mutation($id: ID!, $input: AddExternalAccountInput!, $key: String!) { addExternalAccount(accountId: $id, input: $input, idempotencyKey: $key) { id } }`,
      {
        id,
        input: {
          country: "US",
          currency: "USD",
          accountHolderName: `Seller ${i}`,
          routingNumber: "110000000",
          accountNumber: "000123456789",
        },
        key: randomUUID(),
      },
    );
    await call(key, TRANSFER_MUTATION, { input: { destinationAccountId: id, amount: "1000", currency: "USD" }, key: randomUUID() });
  }
  return { key, accountId, connected };
}
