// Configuration is read from the environment once, at start-up, and validated here: a bad value
// stops the process with a message that names the variable. Nothing else reads process.env.

import { createHash, randomBytes } from "node:crypto";
import proxyAddr from "proxy-addr";
import { z } from "zod";
import { DEFAULT_RATE_TABLE, parseRateTable, type RateTable } from "./money/rate-table.ts";

const milliseconds = (fallback: number) => z.coerce.number().int().min(0).max(86_400_000).default(fallback);
const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/** Where `npm run build:dashboard` writes the dashboard, and the gateway serves it from by default. */
export const DEFAULT_DASHBOARD_DIR = "dist/dashboard";

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  DATABASE_PREPARED_STATEMENTS: z.enum(["true", "false"]).default("true"),
  GATEWAY_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SIGNATURE_MAX_SKEW_MS: milliseconds(60_000),
  ADMIN_API_KEY: z.string().min(24, "must be at least 24 characters").optional(),
  HOST: z.string().default("0.0.0.0"),
  PORT: port(4000),
  SUBGRAPH_HOST: z.string().default("127.0.0.1"),
  ACCOUNTS_PORT: port(4001),
  BALANCES_PORT: port(4002),
  PAYOUTS_PORT: port(4003),
  CRYPTO_PORT: port(4004),
  ACCOUNTS_URL: z.url().optional(),
  BALANCES_URL: z.url().optional(),
  PAYOUTS_URL: z.url().optional(),
  CRYPTO_URL: z.url().optional(),
  // The gateway: which supergraph it serves, where each of its subgraphs is (overriding the
  // supergraph's own URLs, by subgraph name: "accounts=http://…,reviews=http://…"), and which
  // query planner runs it (Hive's Rust planner, or the pure-JS one where the native addon is missing).
  SUPERGRAPH_PATH: z.string().min(1).optional(),
  SUBGRAPH_URLS: z
    .string()
    .optional()
    .transform((text, context): Readonly<Record<string, string>> => {
      const parsed = parseSubgraphUrls(text ?? "");
      if (typeof parsed === "string") {
        context.addIssue({ code: "custom", message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
  GATEWAY_PLANNER: z.enum(["rust", "js"]).default("rust"),
  // How a gateway reaches the subgraphs served by its own process (the all-in-one process):
  // in-process (their Apollo Servers called directly, no HTTP) or http (signed, as a split
  // deployment always does). Subscriptions take graphql-ws either way.
  SUBGRAPH_TRANSPORT: z.enum(["in-process", "http"]).default("in-process"),
  // How subgraphs execute queries and mutations: compiled (graphql-jit, each distinct operation
  // compiled once) or graphql-js (its interpreter). Subscriptions always run on graphql-js.
  SUBGRAPH_EXECUTOR: z.enum(["compiled", "graphql-js"]).default("compiled"),
  // Trusted documents: the path of a persisted-documents manifest (GraphQL Code Generator's
  // persisted-documents.json, id -> document text). When set, the gateway runs only the operations
  // it lists, named by id or sent as their exact text, and registers no new ones (APQ is off).
  TRUSTED_DOCUMENTS: z.string().min(1).optional(),
  // The reference dashboard's built files (npm run build:dashboard), served at /dashboard/.
  DASHBOARD_DIR: z.string().min(1).default(DEFAULT_DASHBOARD_DIR),
  // Identical queries of one caller in flight at once share one execution (Hive's inbound
  // deduplication; mutations always run).
  DEDUPLICATE_INFLIGHT_QUERIES: z.enum(["true", "false"]).default("true"),
  // Identical subgraph requests over HTTP for one caller (the same signed principal) in flight at
  // once share one fetch; never between callers.
  DEDUPLICATE_SUBGRAPH_REQUESTS: z.enum(["true", "false"]).default("true"),
  AUTH_CACHE_TTL_MS: milliseconds(5_000),
  // Requests per second per tenant and mode at the gateway (HTTP requests and graphql-ws
  // operations; 0: no limit), counted in this process or, with RATE_LIMIT_REDIS_URL, across
  // every gateway sharing that Redis. Beyond: RATE_LIMITED (HTTP 429, Retry-After).
  RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).max(1_000_000).default(100),
  RATE_LIMIT_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  // Failed authentications (a wrong, revoked or malformed key) allowed per client address and
  // minute at the gateway, HTTP and graphql-ws together (0: no limit); beyond, the address is
  // refused (RATE_LIMITED, HTTP 429 or close 4429) before any key lookup until the minute ends.
  // Shared through RATE_LIMIT_REDIS_URL when set.
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(20),
  // Whose X-Forwarded-For the gateway believes for a client's address (Express's `trust proxy`):
  // false (the peer's address), true (anyone's: only behind a proxy that overwrites the header),
  // a number of hops, or a comma-separated list of addresses, CIDR ranges or loopback,
  // linklocal, uniquelocal.
  TRUST_PROXY: z
    .string()
    .default("false")
    .transform((text, context): TrustProxy => {
      const trust = parseTrustProxy(text);
      if (typeof trust === "object" && "problem" in trust) {
        context.addIssue({ code: "custom", message: trust.problem });
        return z.NEVER;
      }
      return trust;
    }),
  /** graphql-ws connections open at once per tenant and mode, per gateway process. */
  MAX_CONNECTIONS_PER_KEY: z.coerce.number().int().min(1).max(1_000_000).default(500),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(64).default(12),
  MAX_QUERY_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(32_768),
  SETTLEMENT_DELAY_MS: milliseconds(3_000),
  PAYOUT_STEP_MS: milliseconds(3_000),
  // Holds: how far ahead a hold's expiresAt may be (the default is 7 days, or this if shorter),
  // and how often the balances worker looks for holds past it.
  HOLD_MAX_EXPIRY_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(365 * 86_400_000)
    .default(30 * 86_400_000),
  HOLD_EXPIRY_POLL_MS: milliseconds(1_000),
  QUOTE_TTL_MS: milliseconds(30_000),
  // Crypto prices in USD per unit and fiat currencies in units per USD ("BTC:50000.00,EUR:0.92"),
  // parsed here into exact fractions: a bad table stops start-up.
  CRYPTO_RATES: z
    .string()
    .default(DEFAULT_RATE_TABLE)
    .transform((text, context): RateTable => {
      const table = parseRateTable(text);
      if (typeof table === "string") {
        context.addIssue({ code: "custom", message: table });
        return z.NEVER;
      }
      return table;
    }),
  /** The spread fee on crypto conversions, in basis points of the source amount. */
  CRYPTO_SPREAD_BPS: z.coerce.number().int().min(0).max(5_000).default(100),
  // graphql-ws (gateway and subgraphs): liveness pings, and the bounds that keep one client from
  // holding the process's memory or the key check from going stale on a long-lived socket.
  WS_KEEPALIVE_MS: milliseconds(12_000),
  SUBSCRIPTION_BUFFER_EVENTS: z.coerce.number().int().min(2).max(1_000_000).default(1_000),
  SLOW_CONSUMER_TIMEOUT_MS: milliseconds(30_000),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(10_000).default(100),
  SUBSCRIPTION_AUTH_RECHECK_MS: milliseconds(30_000),
  /** How long a stopping process waits for its HTTP requests in flight, once its sockets have closed, before cutting them off. */
  SHUTDOWN_GRACE_MS: milliseconds(20_000),
  BALANCE_EVENTS_POLL_MS: milliseconds(5_000),
  /** How often the balances worker checkpoints the ledger's hash chains (0: never; `npm run ledger:checkpoint` on demand). */
  LEDGER_CHECKPOINT_INTERVAL_MS: milliseconds(60_000),
  SEED_DEMO: z.enum(["true", "false"]).default("true"),
  // OpenTelemetry traces (docs/operate/tracing.md), by the standard variables: off unless an OTLP
  // endpoint is set. The SDK reads the others it knows itself (OTEL_EXPORTER_OTLP_HEADERS,
  // OTEL_TRACES_SAMPLER, OTEL_BSP_*, …).
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  // The specification's switch: "true" (any case) turns tracing off whatever else is set.
  OTEL_SDK_DISABLED: z
    .string()
    .default("false")
    .transform((text) => text.trim().toLowerCase() === "true"),
  // Prometheus metrics at GET /metrics on the gateway's port and on each subgraph's port
  // (docs/operate/metrics.md). Off: no endpoint and no per-request metric hooks on the gateway.
  METRICS_ENABLED: z.enum(["true", "false"]).default("true"),
  ENCRYPTION_KEYS: z.string().optional(),
  FINGERPRINT_KEY: z.string().optional(),
});

/** `name=url[,name=url…]`: per-subgraph URL overrides; returns a message on the first problem. */
export function parseSubgraphUrls(text: string): Record<string, string> | string {
  const urls: Record<string, string> = {};
  for (const entry of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf("=");
    const name = entry.slice(0, separator);
    const url = entry.slice(separator + 1);
    if (separator < 1 || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) return "each entry must be name=url, the name a subgraph's name";
    if (!/^https?:\/\/\S+$/.test(url)) return `the URL of '${name}' must be http:// or https://`;
    urls[name] = url;
  }
  return urls;
}

/** Express's `trust proxy` setting, as TRUST_PROXY gives it. */
export type TrustProxy = boolean | number | readonly string[];

export function parseTrustProxy(text: string): TrustProxy | { problem: string } {
  const value = text.trim();
  if (value === "false" || value === "") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(",").map((part) => part.trim());
  try {
    proxyAddr.compile(list);
    return list;
  } catch (error) {
    return {
      problem: `false, true, a number of hops, or addresses, CIDR ranges and loopback/linklocal/uniquelocal, comma-separated (${(error as Error).message})`,
    };
  }
}

/** One AES-256 key of the ENCRYPTION_KEYS ring. */
export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface EncryptionConfig {
  /** The first key encrypts; every key decrypts (rotation: prepend a new key, re-encrypt, drop the old). */
  readonly keys: readonly EncryptionKey[];
  /** HMAC key for bank account fingerprints: stable, never rotated (fingerprints would change). */
  readonly fingerprintKey: Buffer;
  /** True when either part is the well-known development default (never in production). */
  readonly usesDevelopmentDefault: boolean;
}

// Well-known development defaults, so `npm start` and the tests need no set-up and data written
// in development stays readable across restarts and processes. Public by construction: refused
// when NODE_ENV=production, and announced by a warning everywhere else.
const DEV_ENCRYPTION_KEY: EncryptionKey = { id: "dev", key: createHash("sha256").update("moneygraph development encryption key").digest() };
const DEV_FINGERPRINT_KEY = createHash("sha256").update("moneygraph development fingerprint key").digest();

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function decodeKey(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  const key = Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64");
  return key.length === 32 ? key : undefined;
}

/** `keyId:base64key[,keyId:base64key…]`; returns a message on the first problem. */
export function parseEncryptionKeys(value: string): EncryptionKey[] | string {
  const keys: EncryptionKey[] = [];
  for (const entry of value.split(",").map((part) => part.trim())) {
    const separator = entry.indexOf(":");
    const id = entry.slice(0, separator);
    if (separator < 1 || !KEY_ID.test(id)) return "each entry must be keyId:base64key, the id 1-32 of A-Z a-z 0-9 _ -";
    const key = decodeKey(entry.slice(separator + 1));
    if (!key) return `key '${id}' must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`)`;
    if (keys.some((other) => other.id === id)) return `key id '${id}' appears twice`;
    keys.push({ id, key });
  }
  return keys;
}

export type Env = z.infer<typeof schema>;

/** Every setting's environment variable (docs/configuration.md documents each; a test checks). */
export const SETTING_NAMES = Object.keys(schema.shape) as readonly (keyof Env)[];

export interface Config extends Env {
  /** Where the four subgraphs are reached, by name. */
  readonly subgraphUrls: Readonly<Record<SubgraphName, string>>;
  readonly gatewaySecret: string;
  /** True when GATEWAY_SECRET was generated for this process (all-in-one only). */
  readonly gatewaySecretGenerated: boolean;
  readonly encryption: EncryptionConfig;
  /** Things an operator should know at start-up (logged by the entry points). */
  readonly warnings: readonly string[];
}

export const SUBGRAPH_NAMES = ["accounts", "balances", "payouts", "crypto"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export class ConfigError extends Error {}

export interface LoadOptions {
  /** All-in-one may generate a per-process gateway secret; split processes must share one. */
  readonly allowGeneratedSecret: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv, options: LoadOptions): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const values = parsed.data;
  if (!values.GATEWAY_SECRET && !options.allowGeneratedSecret) {
    throw new ConfigError(
      "Invalid configuration:\n  GATEWAY_SECRET: required when the gateway and subgraphs run as separate " +
        "processes (the same value everywhere, at least 32 characters)",
    );
  }
  const encryption = encryptionConfig(values);
  const local = (p: number) => `http://${values.SUBGRAPH_HOST}:${p}/graphql`;
  return {
    ...values,
    gatewaySecret: values.GATEWAY_SECRET ?? randomBytes(32).toString("hex"),
    gatewaySecretGenerated: !values.GATEWAY_SECRET,
    encryption,
    warnings: encryption.usesDevelopmentDefault
      ? [
          "ENCRYPTION_KEYS or FINGERPRINT_KEY is not set: bank account numbers are protected with a well-known " +
            "development key. Fine for development and tests; set both before storing real bank details.",
        ]
      : [],
    subgraphUrls: {
      accounts: values.ACCOUNTS_URL ?? values.SUBGRAPH_URLS["accounts"] ?? local(values.ACCOUNTS_PORT),
      balances: values.BALANCES_URL ?? values.SUBGRAPH_URLS["balances"] ?? local(values.BALANCES_PORT),
      payouts: values.PAYOUTS_URL ?? values.SUBGRAPH_URLS["payouts"] ?? local(values.PAYOUTS_PORT),
      crypto: values.CRYPTO_URL ?? values.SUBGRAPH_URLS["crypto"] ?? local(values.CRYPTO_PORT),
    },
  };
}

function encryptionConfig(values: Env): EncryptionConfig {
  const problems: string[] = [];
  const production = values.NODE_ENV === "production";
  let keys: readonly EncryptionKey[] = [DEV_ENCRYPTION_KEY];
  if (values.ENCRYPTION_KEYS !== undefined) {
    const parsed = parseEncryptionKeys(values.ENCRYPTION_KEYS);
    if (typeof parsed === "string") problems.push(`ENCRYPTION_KEYS: ${parsed}`);
    else keys = parsed;
  } else if (production) {
    problems.push("ENCRYPTION_KEYS: required in production (keyId:base64key, e.g. k1:$(openssl rand -base64 32))");
  }
  let fingerprintKey: Buffer = DEV_FINGERPRINT_KEY;
  if (values.FINGERPRINT_KEY !== undefined) {
    const parsed = decodeKey(values.FINGERPRINT_KEY);
    if (!parsed) problems.push("FINGERPRINT_KEY: must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)");
    else fingerprintKey = parsed;
  } else if (production) {
    problems.push("FINGERPRINT_KEY: required in production (32 bytes in base64; never change it once set)");
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.map((line) => `  ${line}`).join("\n")}`);
  return {
    keys,
    fingerprintKey,
    usesDevelopmentDefault: values.ENCRYPTION_KEYS === undefined || values.FINGERPRINT_KEY === undefined,
  };
}

export function subgraphPort(config: Config, name: SubgraphName): number {
  const ports = {
    accounts: config.ACCOUNTS_PORT,
    balances: config.BALANCES_PORT,
    payouts: config.PAYOUTS_PORT,
    crypto: config.CRYPTO_PORT,
  };
  return ports[name];
}
