import { describe, expect, it } from "vitest";
import { testDatabase } from "../../../test/support/database.ts";

describe("statement observation", () => {
  it("reports each statement Prisma sends, in and out of transactions, until stopped", async () => {
    const db = await testDatabase();
    const seen: string[] = [];
    const stop = db.observeStatements((sql) => seen.push(sql));
    await db.prisma.account.findMany({ where: { id: "acct_nothing" } });
    await db.prisma.$transaction(async (tx) => {
      await tx.account.count({ where: { id: "acct_nothing" } });
      await tx.apiKey.count({ where: { id: "key_nothing" } });
    });
    stop();
    await db.prisma.account.count();
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/FROM "public"\."account"/);
    expect(seen[2]).toMatch(/"api_key"/);
  });
});
