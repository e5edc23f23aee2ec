import { describe, expect, it } from "vitest";
import { ANONYMOUS, MAX_NAME_LENGTH, OperationNames, OTHER } from "./operation-names.ts";

describe("operation names as metric labels", () => {
  it("admits the names of authenticated operations, up to the cap, then counts the rest as (other)", () => {
    const names = new OperationNames(2);
    expect(names.admit("CreateTransfer", true)).toBe("CreateTransfer");
    expect(names.admit("Balances", true)).toBe("Balances");
    expect(names.admit("History", true)).toBe(OTHER);
    // Names admitted before the cap was reached keep their label.
    expect(names.admit("CreateTransfer", true)).toBe("CreateTransfer");
    expect(names.size).toBe(2);
  });

  it("never admits a name for an unauthenticated caller, but labels an admitted one", () => {
    const names = new OperationNames(10);
    expect(names.admit("Probe123", false)).toBe(OTHER);
    expect(names.label("Probe123")).toBe(OTHER);
    expect(names.size).toBe(0);
    names.admit("Viewer", true);
    expect(names.admit("Viewer", false)).toBe("Viewer");
  });

  it("labels names as requests give them only once admitted", () => {
    const names = new OperationNames(10);
    expect(names.label("CreateTransfer")).toBe(OTHER);
    names.admit("CreateTransfer", true);
    expect(names.label("CreateTransfer")).toBe("CreateTransfer");
  });

  it("counts unnamed operations (and the Prometheus plugin's 'Anonymous') as (anonymous), outside the cap", () => {
    const names = new OperationNames(1);
    for (const unnamed of [undefined, null, "", "Anonymous"]) {
      expect(names.admit(unnamed, true)).toBe(ANONYMOUS);
      expect(names.label(unnamed)).toBe(ANONYMOUS);
    }
    expect(names.size).toBe(0);
  });

  it("refuses names too long to be a client's operation", () => {
    const names = new OperationNames(10);
    expect(names.admit("Q".repeat(MAX_NAME_LENGTH + 1), true)).toBe(OTHER);
    expect(names.admit("Q".repeat(MAX_NAME_LENGTH), true)).toBe("Q".repeat(MAX_NAME_LENGTH));
  });

  it("stays bounded whatever a client sends", () => {
    const names = new OperationNames(50);
    const labels = new Set(Array.from({ length: 10_000 }, (_, i) => names.admit(`Op${i}`, true)));
    expect(labels.size).toBe(51);
    expect(labels.has(OTHER)).toBe(true);
  });
});
