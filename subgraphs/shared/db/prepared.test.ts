// Which statements are named, and how many names a process keeps (prepared.ts). What Postgres
// does with them is prepared.int-postgres.test.ts's.

import { describe, expect, it } from "vitest";
import { processRegistry } from "../metrics.ts";
import { PreparedStatements } from "./prepared.ts";

/** A counter's value in the process's registry. */
async function counted(name: string): Promise<number> {
  const metric = processRegistry.getSingleMetric(name);
  return (await metric!.get()).values[0]?.value ?? 0;
}

const stale = Object.assign(new Error("cached plan must not change result type"), { code: "0A000" });

describe("PreparedStatements", () => {
  it("names a statement with parameters after its text, and leaves one without unnamed", () => {
    const statements = new PreparedStatements(true);
    const first = statements.query("SELECT $1::int", [1]);
    expect(first).toEqual({ name: expect.stringMatching(/^mg_[0-9a-f]{24}$/), text: "SELECT $1::int", values: [1] });
    expect(statements.query("SELECT $1::int", [2]).name).toBe(first.name);
    expect(statements.query("SELECT $1::text", ["a"]).name).not.toBe(first.name);
    expect(statements.query("COMMIT", undefined)).toEqual({ text: "COMMIT", values: undefined });
  });

  it("names no more texts than its bound, keeps naming those it has, and counts what went unnamed", async () => {
    const statements = new PreparedStatements(true, 2);
    const a = statements.query("SELECT $1::int AS a", [1]).name;
    statements.query("SELECT $1::int AS b", [1]);
    const before = await counted("moneygraph_db_unnamed_statements_total");
    expect(statements.query("SELECT $1::int AS c", [1]).name).toBeUndefined();
    expect(await counted("moneygraph_db_unnamed_statements_total")).toBe(before + 1);
    expect(statements.query("SELECT $1::int AS a", [1]).name).toBe(a);
    expect(statements.size).toBe(2);
  });

  it("names nothing when turned off", () => {
    expect(new PreparedStatements(false).query("SELECT $1::int", [1]).name).toBeUndefined();
  });

  it("renames a statement whose plan went stale, and only for that error, and counts it", async () => {
    const statements = new PreparedStatements(true);
    const before = statements.query("SELECT $1::int", [1]).name;
    const stales = await counted("moneygraph_db_stale_plans_total");
    expect(statements.renewIfStale("SELECT $1::int", new Error("deadlock detected"))).toBe(false);
    expect(statements.query("SELECT $1::int", [1]).name).toBe(before);
    expect(statements.renewIfStale("SELECT $1::int", stale)).toBe(true);
    expect(await counted("moneygraph_db_stale_plans_total")).toBe(stales + 1);
    const after = statements.query("SELECT $1::int", [1]).name;
    expect(after).not.toBe(before);
    expect(statements.renewIfStale("SELECT $1::int", stale)).toBe(true);
    expect(statements.query("SELECT $1::int", [1]).name).not.toBe(after);
  });
});
