import { describe, expect, it } from "vitest";
import { AppError } from "./errors.ts";
import { createdBounds } from "./created-range.ts";

const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

function refusal(run: () => unknown): { code: string; details: unknown } | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, details: error.details };
    throw error;
  }
  return undefined;
}

describe("createdBounds", () => {
  it("keeps one side open when only the other is given", () => {
    expect(createdBounds({ gte: t(0) })).toEqual({ from: { at: t(0), inclusive: true }, to: undefined });
    expect(createdBounds({ lt: t(5) })).toEqual({ from: undefined, to: { at: t(5), inclusive: false } });
  });

  it("takes the stricter of two bounds on one side", () => {
    expect(createdBounds({ gte: t(1), gt: t(1) }).from).toEqual({ at: t(1), inclusive: false });
    expect(createdBounds({ gte: t(2), gt: t(1) }).from).toEqual({ at: t(2), inclusive: true });
    expect(createdBounds({ lte: t(3), lt: t(3) }).to).toEqual({ at: t(3), inclusive: false });
    expect(createdBounds({ lte: t(2), lt: t(3) }).to).toEqual({ at: t(2), inclusive: true });
  });

  it("accepts a single instant, inclusive on both sides", () => {
    expect(createdBounds({ gte: t(7), lte: t(7) })).toEqual({ from: { at: t(7), inclusive: true }, to: { at: t(7), inclusive: true } });
  });

  it.each([
    ["no bound", {}],
    ["all bounds null", { gte: null, gt: null, lte: null, lt: null }],
    ["lower after upper", { gte: t(2), lte: t(1) }],
    ["equal, upper exclusive", { gte: t(1), lt: t(1) }],
    ["equal, lower exclusive", { gt: t(1), lte: t(1) }],
  ])("refuses %s with BAD_USER_INPUT on created", (_name, range) => {
    expect(refusal(() => createdBounds(range))).toEqual({ code: "BAD_USER_INPUT", details: { argument: "created" } });
  });
});
