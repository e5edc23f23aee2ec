// Platform keys are looked up at the accounts subgraph once per burst: requests arriving together
// with a key not yet cached share one lookup, its answer or its failure; a failure is not kept.
// A real HTTP server stands in for the accounts subgraph and counts the lookups.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { Authenticator, isAuthenticationUnavailable } from "./authenticate.ts";

const KEY = "sk_test_0123456789abcdefABCDEF";
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** An accounts subgraph answering every lookup after `delayMs` with `status`, counting them. */
async function accounts(status: number, delayMs = 50): Promise<{ url: string; lookups(): number }> {
  let lookups = 0;
  const server = createServer((req, res) => {
    lookups += 1;
    req.resume();
    setTimeout(() => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(
        status === 200
          ? JSON.stringify({ data: { _authenticate: { tenantId: "acct_platform0000000000000000", livemode: false, keyId: "key_1" } } })
          : JSON.stringify({ errors: [{ message: "down", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }),
      );
    }, delayMs);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, lookups: () => lookups };
}

const authenticator = (accountsUrl: string) =>
  new Authenticator({
    accountsUrl,
    gatewaySecret: "a".repeat(64),
    adminApiKey: undefined,
    cacheTtlMs: 60_000,
    logger: createLogger("silent", "test"),
  });

describe("the authenticator's lookups", () => {
  it("share one lookup among requests arriving together with a key not yet cached", async () => {
    const subgraph = await accounts(200);
    const auth = authenticator(subgraph.url);
    const principals = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(`Bearer ${KEY}`)));
    expect(new Set(principals.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(principals[0]).toMatchObject({ kind: "platform", tenantId: "acct_platform0000000000000000", keyId: "key_1" });
    expect(subgraph.lookups()).toBe(1);
    // And the answer is cached.
    await auth.authenticate(`Bearer ${KEY}`);
    expect(subgraph.lookups()).toBe(1);
  });

  it("share a failed lookup's failure, and do not keep it", async () => {
    const subgraph = await accounts(500);
    const auth = authenticator(subgraph.url);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => auth.authenticate(`Bearer ${KEY}`)));
    expect(outcomes.every((o) => o.status === "rejected" && isAuthenticationUnavailable(o.reason))).toBe(true);
    expect(subgraph.lookups()).toBe(1);
    // The next request tries again.
    await expect(auth.authenticate(`Bearer ${KEY}`)).rejects.toSatisfy(isAuthenticationUnavailable);
    expect(subgraph.lookups()).toBe(2);
  });
});
