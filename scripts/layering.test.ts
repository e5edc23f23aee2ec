// The layering rules must be able to fail: lint a domain file that imports GraphQL, Prisma or
// reads the environment, a resolver that queries the database, and shared code that reaches
// into a subgraph.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint();

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

describe("layering lint", () => {
  it.each([
    ['import { GraphQLError } from "graphql";\nexport const e = GraphQLError;'],
    ['import { PrismaClient } from "../../../prisma/generated/client.ts";\nexport const c = PrismaClient;'],
    ['import { loadConfig } from "../../shared/config.ts";\nexport const c = loadConfig;'],
  ])("refuses domain code that imports %s", async (code) => {
    expect(await ruleIds("subgraphs/payouts/domain/example.ts", code)).toContain("no-restricted-imports");
  });

  it("refuses domain code that reads the environment", async () => {
    expect(await ruleIds("subgraphs/payouts/domain/example.ts", "export const x = process.env.X;")).toContain("no-restricted-globals");
  });

  it("refuses a resolver that talks to the database driver", async () => {
    expect(await ruleIds("subgraphs/payouts/graphql/example.ts", 'import pg from "pg";\nexport const p = pg;')).toContain("no-restricted-imports");
  });

  it.each([
    ["subgraphs/shared/config.ts", 'import { tableRateSource } from "../crypto/domain/rates.ts";\nexport const t = tableRateSource;'],
    ["subgraphs/shared/money/example.ts", 'import { post } from "../../balances/ledger/post.ts";\nexport const p = post;'],
  ])("refuses shared code that depends on a subgraph (%s)", async (filePath, code) => {
    expect(await ruleIds(filePath, code)).toContain("no-restricted-imports");
  });

  it("refuses shared money code that does I/O", async () => {
    expect(await ruleIds("subgraphs/shared/money/example.ts", 'import pg from "pg";\nexport const p = pg;')).toContain("no-restricted-imports");
  });

  it("accepts pure domain code", async () => {
    expect(await ruleIds("subgraphs/payouts/domain/example.ts", 'import { formatDecimal } from "../../shared/money/money.ts";\nexport const f = formatDecimal;')).toEqual([]);
  });
});
