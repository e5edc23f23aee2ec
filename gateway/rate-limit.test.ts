import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { RateLimiter, rateKeyOf, type RateLimitOptions } from "./rate-limit.ts";
import { testId } from "../test/support/fixtures.ts";

const logger = createLogger("silent", "test");
const open: RateLimiter[] = [];
const limiter = (options: Omit<RateLimitOptions, "logger">) => {
  const made = new RateLimiter({ logger, keyPrefix: `test:${randomUUID()}`, ...options });
  open.push(made);
  return made;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function spend(l: RateLimiter, key: string, times: number): Promise<boolean[]> {
  const decisions = [];
  for (let i = 0; i < times; i++) decisions.push((await l.consume(key)).allowed);
  return decisions;
}

describe("the gateway's rate limiter", () => {
  it("allows the limit per second per key, then refuses with the wait until the window ends", async () => {
    const l = limiter({ perSecond: 3 });
    expect(await spend(l, "acct_a:test", 4)).toEqual([true, true, true, false]);
    const refused = await l.consume("acct_a:test");
    expect(refused).toMatchObject({ allowed: false, limit: 3 });
    if (!refused.allowed) expect(refused.retryAfterMs).toBeGreaterThan(0);
    if (!refused.allowed) expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    // Another key has its own budget.
    expect(await spend(l, "acct_b:test", 1)).toEqual([true]);
  });

  it("is off at 0", async () => {
    const l = limiter({ perSecond: 0 });
    expect(l.enabled).toBe(false);
    expect(await spend(l, "acct_a:test", 50)).toEqual(Array.from({ length: 50 }, () => true));
  });

  it("spends a platform's budget per tenant and mode, the operator's as one, and unauthenticated callers' per address", () => {
    expect(rateKeyOf({ kind: "platform", tenantId: testId("account", "acct_1"), livemode: false, keyId: "k1" }, "10.0.0.1")).toBe(
      "acct_1:test",
    );
    expect(rateKeyOf({ kind: "platform", tenantId: testId("account", "acct_1"), livemode: true, keyId: "k2" }, "10.0.0.1")).toBe(
      "acct_1:live",
    );
    expect(rateKeyOf({ kind: "operator" }, "10.0.0.1")).toBe("operator");
    expect(rateKeyOf(undefined, "10.0.0.1")).toBe("ip:10.0.0.1");
  });

  it("keeps limiting on its own when Redis cannot be reached", async () => {
    const l = limiter({ perSecond: 2, redisUrl: "redis://127.0.0.1:1" });
    await l.ready(200);
    expect(await spend(l, "acct_a:test", 3)).toEqual([true, true, false]);
  });

  // CI sets REDIS_URL (the machine runs Redis); elsewhere this needs a Redis to talk to.
  it.runIf(process.env["REDIS_URL"])("shares one budget between gateways through Redis", async () => {
    const keyPrefix = `test:${randomUUID()}`;
    const a = limiter({ perSecond: 4, redisUrl: process.env["REDIS_URL"], keyPrefix });
    const b = limiter({ perSecond: 4, redisUrl: process.env["REDIS_URL"], keyPrefix });
    await Promise.all([a.ready(), b.ready()]);
    const decisions = [...(await spend(a, "acct_a:test", 3)), ...(await spend(b, "acct_a:test", 3))];
    expect(decisions).toEqual([true, true, true, true, false, false]);
  });
});
