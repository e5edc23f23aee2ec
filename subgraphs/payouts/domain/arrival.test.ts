import { describe, expect, it } from "vitest";
import { arrivalDate } from "./arrival.ts";

const at = (iso: string) => new Date(iso);

describe("arrival dates", () => {
  it.each([
    ["2026-11-23T15:00:00Z", "2026-11-25T00:00:00.000Z"], // Monday -> Wednesday
    ["2026-11-26T23:59:00Z", "2026-11-30T00:00:00.000Z"], // Thursday -> Monday
    ["2026-11-27T09:00:00Z", "2026-12-01T00:00:00.000Z"], // Friday -> Tuesday
    ["2026-11-28T09:00:00Z", "2026-12-01T00:00:00.000Z"], // Saturday -> Tuesday
    ["2026-11-29T09:00:00Z", "2026-12-01T00:00:00.000Z"], // Sunday -> Tuesday
    ["2026-12-31T12:00:00Z", "2027-01-04T00:00:00.000Z"], // across the year
  ])("STANDARD created %s arrives %s", (created, expected) => {
    expect(arrivalDate("STANDARD", at(created)).toISOString()).toBe(expected);
  });

  it("INSTANT arrives 30 minutes after creation", () => {
    expect(arrivalDate("INSTANT", at("2026-11-28T09:00:00Z")).toISOString()).toBe("2026-11-28T09:30:00.000Z");
  });
});
