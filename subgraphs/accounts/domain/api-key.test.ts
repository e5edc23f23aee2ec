import { describe, expect, it } from "vitest";
import { keyStatus, reachableModes, refuseCreation, refuseRevocation, refuseRoll, validateGraceHours, validateKeyName } from "./api-key.ts";

const now = new Date("2026-06-15T12:00:00Z");
const later = new Date(now.getTime() + 3_600_000);
const earlier = new Date(now.getTime() - 1);
const key = { livemode: false, expiresAt: null, revokedAt: null };

describe("API key lifecycle", () => {
  it("has a status from its dates", () => {
    expect(keyStatus(key, now)).toBe("ACTIVE");
    expect(keyStatus({ ...key, expiresAt: later }, now)).toBe("EXPIRING");
    expect(keyStatus({ ...key, expiresAt: now }, now)).toBe("EXPIRED");
    expect(keyStatus({ ...key, revokedAt: earlier, expiresAt: later }, now)).toBe("REVOKED");
  });

  it("rolls only an active key", () => {
    expect(refuseRoll(key, now)).toBeUndefined();
    expect(refuseRoll({ ...key, expiresAt: later }, now)).toMatchObject({ code: "INVALID_STATE" });
    expect(refuseRoll({ ...key, revokedAt: earlier }, now)).toMatchObject({ code: "INVALID_STATE" });
  });

  it("keeps the last working key of a mode", () => {
    expect(refuseRevocation(key, 0, now)).toMatchObject({ code: "INVALID_STATE" });
    expect(refuseRevocation(key, 1, now)).toBeUndefined();
    expect(refuseRevocation({ ...key, revokedAt: earlier }, 0, now)).toBeUndefined();
  });

  it("bounds the grace period of a roll: 0 to 168 hours, 24 by default", () => {
    expect(validateGraceHours(undefined)).toBe(24);
    expect(validateGraceHours(0)).toBe(0);
    expect(validateGraceHours(168)).toBe(168);
    expect(validateGraceHours(169)).toMatchObject({ code: "BAD_USER_INPUT", argument: "gracePeriodHours" });
    expect(validateGraceHours(-1)).toMatchObject({ code: "BAD_USER_INPUT", argument: "gracePeriodHours" });
    expect(validateGraceHours(1.5)).toMatchObject({ code: "BAD_USER_INPUT", argument: "gracePeriodHours" });
  });

  it("lets a test key reach only test keys, and a live key both", () => {
    expect(reachableModes(false)).toEqual([false]);
    expect(reachableModes(true)).toEqual([false, true]);
    expect(refuseCreation(false, true)).toMatchObject({ code: "FORBIDDEN" });
    expect(refuseCreation(true, false)).toBeUndefined();
    expect(refuseCreation(false, false)).toBeUndefined();
  });

  it("validates names", () => {
    expect(validateKeyName("  CI  ")).toBe("CI");
    expect(validateKeyName("")).toBeNull();
    expect(validateKeyName("x".repeat(101))).toMatchObject({ code: "BAD_USER_INPUT", argument: "name" });
  });
});
