import { randomUUID } from "node:crypto";
import { GraphQLError } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { addressKey, AuthFailures, type AuthFailureOptions } from "./auth-failures.ts";
import { unauthenticated } from "./authenticate.ts";

const logger = createLogger("silent", "test");
const open: AuthFailures[] = [];
const budget = (options: Partial<Omit<AuthFailureOptions, "logger">> = {}) => {
  const made = new AuthFailures({ logger, perWindow: 3, windowMs: 60_000, keyPrefix: `test:${randomUUID()}`, ...options });
  open.push(made);
  return made;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((each) => each.close()));
});

const wrongKey = () => Promise.reject(unauthenticated("Invalid API key"));
const unavailable = () =>
  Promise.reject(
    new GraphQLError("Authentication is unavailable; try again", { extensions: { code: "INTERNAL_SERVER_ERROR", http: { status: 503 } } }),
  );
const rightKey = () => Promise.resolve("principal");

/** What each attempt came to: the value, or the error's code. */
async function attempts(failures: AuthFailures, address: string, authenticate: () => Promise<string>, times: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < times; i++) {
    outcomes.push(await failures.guard(address, authenticate).catch((error: GraphQLError) => String(error.extensions["code"])));
  }
  return outcomes;
}

describe("the failed-authentication budget", () => {
  it("refuses an address beyond its failures, before authenticating, with the wait until the window ends", async () => {
    const failures = budget();
    expect(await attempts(failures, "10.0.0.1", wrongKey, 4)).toEqual([
      "UNAUTHENTICATED",
      "UNAUTHENTICATED",
      "UNAUTHENTICATED",
      "RATE_LIMITED",
    ]);
    let ran = false;
    const refused = await failures.guard("10.0.0.1", async () => ((ran = true), "principal")).catch((error: GraphQLError) => error);
    expect(ran).toBe(false);
    expect(refused).toBeInstanceOf(GraphQLError);
    const extensions = (refused as GraphQLError).extensions;
    expect(extensions).toMatchObject({ code: "RATE_LIMITED", http: { status: 429 } });
    expect(extensions["retryAfterMs"]).toBeGreaterThan(0);
    expect(extensions["retryAfterMs"]).toBeLessThanOrEqual(60_000);
    // Another address has its own budget.
    expect(await attempts(failures, "10.0.0.2", rightKey, 1)).toEqual(["principal"]);
  });

  it("counts neither successes nor an unavailable key check", async () => {
    const failures = budget();
    expect(await attempts(failures, "10.0.0.1", rightKey, 5)).toEqual(Array.from({ length: 5 }, () => "principal"));
    expect(await attempts(failures, "10.0.0.1", unavailable, 5)).toEqual(Array.from({ length: 5 }, () => "INTERNAL_SERVER_ERROR"));
    expect(await failures.check("10.0.0.1")).toEqual({ allowed: true });
  });

  it("starts afresh when the window ends", async () => {
    const failures = budget({ perWindow: 1, windowMs: 1_000 });
    expect(await attempts(failures, "10.0.0.1", wrongKey, 2)).toEqual(["UNAUTHENTICATED", "RATE_LIMITED"]);
    const refusedAt = Date.now();
    while (!(await failures.check("10.0.0.1")).allowed) {
      if (Date.now() - refusedAt > 10_000) throw new Error("the window never ended");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await attempts(failures, "10.0.0.1", rightKey, 1)).toEqual(["principal"]);
    expect(await attempts(failures, "10.0.0.1", wrongKey, 2)).toEqual(["UNAUTHENTICATED", "RATE_LIMITED"]);
  });

  it("is off at 0", async () => {
    const failures = budget({ perWindow: 0 });
    expect(await attempts(failures, "10.0.0.1", wrongKey, 50)).toEqual(Array.from({ length: 50 }, () => "UNAUTHENTICATED"));
  });

  it("counts IPv4 as it is (also mapped into IPv6) and IPv6 per /64", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::FFFF:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:cb00:7107")).toBe("203.0.113.7");
    expect(addressKey("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("255.255.255.255")).toBe("255.255.255.255");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(addressKey(undefined)).toBe("unknown");
  });

  it("keeps counting on its own when Redis cannot be reached", async () => {
    const failures = budget({ redisUrl: "redis://127.0.0.1:1" });
    await failures.ready(200);
    expect(await attempts(failures, "10.0.0.1", wrongKey, 4)).toEqual([
      "UNAUTHENTICATED",
      "UNAUTHENTICATED",
      "UNAUTHENTICATED",
      "RATE_LIMITED",
    ]);
  });

  // CI sets REDIS_URL (the machine runs Redis); elsewhere this needs a Redis to talk to.
  it.runIf(process.env["REDIS_URL"])("shares an address's budget between gateways through Redis", async () => {
    const keyPrefix = `test:${randomUUID()}`;
    const a = budget({ redisUrl: process.env["REDIS_URL"], keyPrefix });
    const b = budget({ redisUrl: process.env["REDIS_URL"], keyPrefix });
    await Promise.all([a.ready(), b.ready()]);
    expect(await attempts(a, "10.0.0.1", wrongKey, 2)).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED"]);
    expect(await attempts(b, "10.0.0.1", wrongKey, 2)).toEqual(["UNAUTHENTICATED", "RATE_LIMITED"]);
    expect(await attempts(a, "10.0.0.1", rightKey, 1)).toEqual(["RATE_LIMITED"]);
  });
});
