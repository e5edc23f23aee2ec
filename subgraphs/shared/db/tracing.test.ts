import { describe, expect, it } from "vitest";
import { operationOf } from "./tracing.ts";

describe("a statement's operation name", () => {
  it("is its first keyword, after comments", () => {
    expect(operationOf("SELECT 1")).toBe("SELECT");
    expect(operationOf("\n   insert into t values ($1)")).toBe("INSERT");
    expect(operationOf("-- why\n/* how */ WITH x AS (SELECT 1) UPDATE t SET a = 1")).toBe("WITH");
    expect(operationOf("")).toBe("SQL");
  });
});
