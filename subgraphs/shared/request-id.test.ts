import { describe, expect, it } from "vitest";
import { MAX_REQUEST_ID_LENGTH, requestIdFrom, safeRequestId } from "./request-id.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("request ids", () => {
  it("takes a caller's short token as it is", () => {
    for (const id of ["abc", "req-42_x.y~z", "0f8fad5b-d9cb-469f-a165-70867728950e", "A".repeat(MAX_REQUEST_ID_LENGTH), "tr!#$%&'*+^`|"]) {
      expect(safeRequestId(id)).toBe(id);
      expect(requestIdFrom(id)).toBe(id);
    }
  });

  it("replaces anything that could forge a log line or a header, or is too long", () => {
    const unsafe = [
      "",
      "A".repeat(MAX_REQUEST_ID_LENGTH + 1),
      "a b",
      "a\tb",
      "a\nb",
      "a\r\nx-evil: 1",
      "a\u0000b",
      'a"b',
      "a\\b",
      "a/b",
      "é",
      "a\u001b[31mred",
      42,
      null,
      undefined,
      {},
    ];
    for (const id of unsafe) {
      expect(safeRequestId(id)).toBeUndefined();
      expect(requestIdFrom(id)).toMatch(UUID);
    }
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});
