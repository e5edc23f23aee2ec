import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("configuration", () => {
  it("has working defaults for the all-in-one process", () => {
    const config = loadConfig({}, { allowGeneratedSecret: true });
    expect(config.PORT).toBe(4000);
    expect(config.DATA_DIR).toBe(".data");
    expect(config.gatewaySecret).toMatch(/^[0-9a-f]{64}$/);
    expect(config.subgraphUrls.accounts).toBe("http://127.0.0.1:4001/graphql");
  });

  it("names every bad variable in one clear message", () => {
    const load = () => loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", GATEWAY_SECRET: "short" }, { allowGeneratedSecret: true });
    expect(load).toThrowError(/DATABASE_URL: must be a postgres:\/\//);
    expect(load).toThrowError(/GATEWAY_SECRET: must be at least 32/);
    expect(load).toThrowError(/PORT: .*number/);
  });

  it("configures the gateway: planner, supergraph file and per-subgraph URLs", () => {
    const defaults = loadConfig({}, { allowGeneratedSecret: true });
    expect(defaults.GATEWAY_PLANNER).toBe("rust");
    expect(defaults.SUPERGRAPH_PATH).toBeUndefined();
    expect(defaults.SUBGRAPH_URLS).toEqual({});
    const custom = loadConfig(
      {
        GATEWAY_PLANNER: "js",
        SUPERGRAPH_PATH: "/etc/supergraph.graphql",
        SUBGRAPH_URLS: "reviews=http://reviews:4010/graphql, accounts=https://a.example/graphql",
        BALANCES_URL: "http://b:1/graphql",
      },
      { allowGeneratedSecret: true },
    );
    expect(custom.GATEWAY_PLANNER).toBe("js");
    expect(custom.SUPERGRAPH_PATH).toBe("/etc/supergraph.graphql");
    expect(custom.SUBGRAPH_URLS).toEqual({ reviews: "http://reviews:4010/graphql", accounts: "https://a.example/graphql" });
    // Our own subgraphs: ACCOUNTS_URL … first, then SUBGRAPH_URLS, then the local default.
    expect(custom.subgraphUrls).toMatchObject({
      accounts: "https://a.example/graphql",
      balances: "http://b:1/graphql",
      payouts: "http://127.0.0.1:4003/graphql",
    });
    expect(() => loadConfig({ GATEWAY_PLANNER: "fast" }, { allowGeneratedSecret: true })).toThrowError(/GATEWAY_PLANNER/);
    expect(() => loadConfig({ SUBGRAPH_URLS: "reviews" }, { allowGeneratedSecret: true })).toThrowError(
      /SUBGRAPH_URLS: each entry must be name=url/,
    );
    expect(() => loadConfig({ SUBGRAPH_URLS: "reviews=ftp://x" }, { allowGeneratedSecret: true })).toThrowError(
      /SUBGRAPH_URLS: the URL of 'reviews' must be http/,
    );
  });

  it("requires a shared GATEWAY_SECRET when pieces run as separate processes", () => {
    expect(() => loadConfig({}, { allowGeneratedSecret: false })).toThrowError(ConfigError);
    expect(() => loadConfig({}, { allowGeneratedSecret: false })).toThrowError(/GATEWAY_SECRET: required/);
  });

  it("parses the crypto rate table into exact fractions, and stops on a bad one", () => {
    const config = loadConfig({}, { allowGeneratedSecret: true });
    expect(config.CRYPTO_RATES.get("EUR" as never)).toEqual({ num: 23n, den: 25n });
    expect(config.CRYPTO_SPREAD_BPS).toBe(100);
    const custom = loadConfig({ CRYPTO_RATES: "BTC:60000.5,ETH:3000" }, { allowGeneratedSecret: true });
    expect(custom.CRYPTO_RATES.get("BTC" as never)).toEqual({ num: 120001n, den: 2n });
    expect(() => loadConfig({ CRYPTO_RATES: "BTC:1.5e3" }, { allowGeneratedSecret: true })).toThrowError(
      /CRYPTO_RATES: BTC: "1.5e3" is not a positive decimal/,
    );
    expect(() => loadConfig({ CRYPTO_SPREAD_BPS: "-1" }, { allowGeneratedSecret: true })).toThrowError(/CRYPTO_SPREAD_BPS/);
  });
});

describe("the failed-authentication budget and the client address", () => {
  it("allows 20 failures per address and minute, and takes the peer's address, by default", () => {
    const config = loadConfig({}, { allowGeneratedSecret: true });
    expect(config.AUTH_FAILURES_PER_MINUTE).toBe(20);
    expect(config.TRUST_PROXY).toBe(false);
    expect(loadConfig({ AUTH_FAILURES_PER_MINUTE: "0" }, { allowGeneratedSecret: true }).AUTH_FAILURES_PER_MINUTE).toBe(0);
    expect(() => loadConfig({ AUTH_FAILURES_PER_MINUTE: "-1" }, { allowGeneratedSecret: true })).toThrowError(/AUTH_FAILURES_PER_MINUTE/);
  });

  it.each([
    ["true", true],
    ["false", false],
    ["2", 2],
    ["loopback", ["loopback"]],
    ["10.0.0.0/8, 192.168.1.1", ["10.0.0.0/8", "192.168.1.1"]],
  ])("reads TRUST_PROXY=%s as Express's trust proxy %o", (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }, { allowGeneratedSecret: true }).TRUST_PROXY).toEqual(expected);
  });

  it("stops on a TRUST_PROXY that names no address", () => {
    expect(() => loadConfig({ TRUST_PROXY: "my-load-balancer" }, { allowGeneratedSecret: true })).toThrowError(
      /TRUST_PROXY: .*invalid IP address/,
    );
  });
});

describe("encryption configuration", () => {
  const key = (byte: number) => Buffer.alloc(32, byte).toString("base64");

  it("parses a key ring: the first key encrypts, all decrypt", () => {
    const config = loadConfig({ ENCRYPTION_KEYS: `new:${key(2)}, old:${key(1)}`, FINGERPRINT_KEY: key(9) }, { allowGeneratedSecret: true });
    expect(config.encryption.keys.map((k) => k.id)).toEqual(["new", "old"]);
    expect(config.encryption.keys[0]!.key).toEqual(Buffer.alloc(32, 2));
    expect(config.encryption.fingerprintKey).toEqual(Buffer.alloc(32, 9));
    expect(config.encryption.usesDevelopmentDefault).toBe(false);
    expect(config.warnings).toEqual([]);
  });

  it("falls back to a well-known development key outside production, loudly", () => {
    const config = loadConfig({}, { allowGeneratedSecret: true });
    expect(config.encryption.usesDevelopmentDefault).toBe(true);
    expect(config.encryption.keys.map((k) => k.id)).toEqual(["dev"]);
    expect(config.warnings.join(" ")).toMatch(/ENCRYPTION_KEYS/);
    // Stable across processes, so data written in development stays readable.
    expect(loadConfig({}, { allowGeneratedSecret: true }).encryption.keys[0]!.key).toEqual(config.encryption.keys[0]!.key);
  });

  it("requires both keys in production", () => {
    const load = () => loadConfig({ NODE_ENV: "production", GATEWAY_SECRET: "g".repeat(32) }, { allowGeneratedSecret: false });
    expect(load).toThrowError(/ENCRYPTION_KEYS: required in production/);
    expect(load).toThrowError(/FINGERPRINT_KEY: required in production/);
  });

  it.each([
    ["no id", `:${key(1)}`, /keyId:base64key/],
    ["a short key", "k1:c2hvcnQ=", /32 bytes/],
    ["a duplicate id", `k1:${key(1)},k1:${key(2)}`, /appears twice/],
    ["a bad id", `k 1:${key(1)}`, /keyId:base64key/],
  ])("refuses %s without echoing key material", (_what, value, message) => {
    const load = () => loadConfig({ ENCRYPTION_KEYS: value }, { allowGeneratedSecret: true });
    expect(load).toThrowError(message);
    try {
      load();
    } catch (error) {
      expect((error as Error).message).not.toContain(key(2));
    }
  });
});
