import { describe, expect, it } from "vitest";
import { newId, parseId, randomToken } from "./ids.ts";

describe("ids", () => {
  it("are prefixed, random and unique", () => {
    const ids = Array.from({ length: 10_000 }, () => newId("payout"));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^po_[0-9A-Za-z]{24}$/);
  });

  it("are not sequential: consecutive ids share no common order", () => {
    const ids = Array.from({ length: 200 }, () => newId("account"));
    const ascending = ids.filter((id, i) => i > 0 && id > ids[i - 1]!).length;
    expect(ascending).toBeGreaterThan(60);
    expect(ascending).toBeLessThan(140);
  });

  it("draw every character evenly, over many refills of the random pool", () => {
    // 48,000 characters: a dozen pools of random bytes. Each of the 62 characters is expected
    // about 774 times (standard deviation about 27); a quarter off would be a skewed draw.
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) for (const char of randomToken(24)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = 48_000 / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(expected / 4);
  });

  it("parses only ids of the expected kind", () => {
    const id = newId("account");
    expect(parseId("account", id)).toBe(id);
    expect(parseId("payout", id)).toBeUndefined();
    expect(parseId("account", "acct_")).toBeUndefined();
    expect(parseId("account", "acct_abc'; DROP TABLE account")).toBeUndefined();
  });
});
