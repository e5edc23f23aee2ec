import { describe, expect, it } from "vitest";
import { testDatabase } from "../../../test/support/database.ts";
import { inTransaction } from "./transaction.ts";

// PGlite answers on the microtask queue; without a turn of the event loop per statement, a busy
// loop of statements (the transfer batcher's, draining) starved every timer in the process.
describe("a loop of statements", () => {
  it("lets timers run between them, on the autocommit client and in transactions", async () => {
    const db = await testDatabase();
    for (const run of [
      (i: number) => db.sql.query("SELECT $1::int AS i", [i]),
      (i: number) => inTransaction(db, (sql) => sql.query("SELECT $1::int AS i", [i])),
    ]) {
      let fired = false;
      setTimeout(() => (fired = true), 0);
      let statements = 0;
      while (!fired && statements < 10_000) await run(statements++);
      expect(fired).toBe(true);
      expect(statements).toBeLessThan(10_000);
    }
  });
});
