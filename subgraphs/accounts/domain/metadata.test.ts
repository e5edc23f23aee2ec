import { describe, expect, it } from "vitest";
import { mergeMetadata, parseMetadata, parseMetadataChanges } from "./metadata.ts";

const many = (n: number, prefix = "k") => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));

describe("metadata", () => {
  it("accepts the limits exactly: 50 keys, 40-character keys, 500-character values", () => {
    expect(parseMetadata(many(50))).toMatchObject({ ok: true });
    expect(parseMetadata({ ["k".repeat(40)]: "v".repeat(500) })).toEqual({ ok: true, metadata: { ["k".repeat(40)]: "v".repeat(500) } });
    // Characters, not UTF-16 units: 500 emoji are 500 characters.
    expect(parseMetadata({ e: "😀".repeat(500) })).toMatchObject({ ok: true });
  });

  it.each([
    ["51 keys", many(51)],
    ["a 41-character key", { ["k".repeat(41)]: "v" }],
    ["a 501-character value", { k: "v".repeat(501) }],
    ["an empty key", { "": "v" }],
    ["a number value", { k: 1 }],
    ["a nested object", { k: { nested: "v" } }],
    ["a null value on creation", { k: null }],
    ["an array", ["a"]],
    ["a string", "k=v"],
  ])("refuses %s", (_what, value) => {
    const result = parseMetadata(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.argument).toBe("metadata");
  });

  it("treats keys named like a problem as ordinary keys", () => {
    expect(parseMetadata({ field: "a", message: "b" })).toEqual({ ok: true, metadata: { field: "a", message: "b" } });
  });

  it("does not store empty values on creation", () => {
    expect(parseMetadata({ a: "", b: "x" })).toEqual({ ok: true, metadata: { b: "x" } });
  });

  it("accepts objects without a prototype (GraphQL literals)", () => {
    const literal = Object.assign(Object.create(null) as Record<string, string>, { a: "1" });
    expect(parseMetadata(literal)).toEqual({ ok: true, metadata: { a: "1" } });
  });

  it("merges updates: sets, and removes keys given null or an empty string", () => {
    const changes = parseMetadataChanges({ a: null, b: "", c: "3" }, true);
    expect(changes).toBeInstanceOf(Map);
    expect(mergeMetadata({ a: "1", b: "2", d: "4" }, changes as Map<string, string | null>)).toEqual({
      ok: true,
      metadata: { c: "3", d: "4" },
    });
  });

  it("refuses a merge that would exceed 50 keys", () => {
    const changes = parseMetadataChanges(many(10, "new"), true) as Map<string, string | null>;
    expect(mergeMetadata(many(45), changes)).toMatchObject({ ok: false, problem: { argument: "metadata" } });
    expect(mergeMetadata(many(40), changes)).toMatchObject({ ok: true });
  });
});
