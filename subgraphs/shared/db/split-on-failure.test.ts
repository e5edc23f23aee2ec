import { describe, expect, it } from "vitest";
import { commitSplittingOnFailure } from "./split-on-failure.ts";

describe("commitSplittingOnFailure", () => {
  it("splits a failing batch until the item at fault fails alone, and commits every other item", async () => {
    const committed: number[][] = [];
    let splits = 0;
    const outcomes = await commitSplittingOnFailure(
      [1, 2, 3, 4, 5, 6, 7],
      async (part) => {
        if (part.includes(5)) throw new Error("poisoned");
        committed.push([...part]);
        return part.map((n) => n * 10);
      },
      () => splits++,
    );
    expect(outcomes.map((o) => (o instanceof Error ? o.message : o))).toEqual([10, 20, 30, 40, "poisoned", 60, 70]);
    expect(committed.flat().sort()).toEqual([1, 2, 3, 4, 6, 7]);
    expect(splits).toBe(3);
  });

  it("fails the whole batch at once when the database is unavailable", async () => {
    let attempts = 0;
    const down = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const outcomes = await commitSplittingOnFailure(
      [1, 2, 3, 4],
      async () => {
        attempts++;
        throw down;
      },
      () => {},
    );
    expect(outcomes).toEqual([down, down, down, down]);
    expect(attempts).toBe(1);
  });
});
