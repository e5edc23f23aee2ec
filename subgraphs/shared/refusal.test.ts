import { describe, expect, it } from "vitest";
import { apiCodeOf, AppError, ERROR_CODES, refused, throwIfRefused } from "./errors.ts";
import { isRefusal, refuse, Refusal, REFUSAL_CODES } from "./refusal.ts";

describe("refusals", () => {
  it("are recognised by one guard, and nothing shaped like one passes for one", () => {
    expect(isRefusal(refuse("INVALID_STATE", "The account is closed"))).toBe(true);
    // The shapes refusals used to have, and domain values that look like them (metadata).
    for (const lookalike of [
      { code: "BAD_USER_INPUT", message: "x", argument: "input.amount" },
      { field: "legalName", message: "x" },
      { refusal: "INVALID_STATE", message: "x" },
      { refused: true, code: "QUOTE_EXPIRED", message: "x" },
      "Payouts are not enabled",
      null,
    ]) {
      expect(isRefusal(lookalike)).toBe(false);
    }
  });

  it("place their argument under an input, and keep one without an argument as it is", () => {
    expect(refuse("BAD_USER_INPUT", "legalName must not be empty", "legalName").under("input")).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.legalName",
    });
    const state = refuse("INVALID_STATE", "The account is closed");
    expect(state.under("input")).toBe(state);
  });

  it.each(REFUSAL_CODES)("%s becomes the API's typed error of the same code", (code) => {
    expect(ERROR_CODES).toContain(apiCodeOf(code));
    const error = refused(refuse(code, "why", "input.x"));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code, message: "why", details: { argument: "input.x" } });
    expect(refused(new Refusal(code, "why")).details).toBeUndefined();
  });

  it("throws only when there is a refusal", () => {
    expect(() => throwIfRefused(undefined)).not.toThrow();
    expect(() => throwIfRefused(refuse("FORBIDDEN", "no"))).toThrow(AppError);
  });
});
