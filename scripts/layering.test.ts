// The layering rules must be able to fail: lint a domain file that imports GraphQL, Prisma or
// reads the environment, a resolver that queries the database, shared code that reaches into a
// subgraph, and a module, entry point or benchmark that imports another module's insides.
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
    ["subgraphs/shared/money/example.ts", 'import { post } from "../../ledger/api.ts";\nexport const p = post;'],
  ])("refuses shared code that depends on a subgraph (%s)", async (filePath, code) => {
    expect(await ruleIds(filePath, code)).toContain("no-restricted-imports");
  });

  it("refuses shared money code that does I/O", async () => {
    expect(await ruleIds("subgraphs/shared/money/example.ts", 'import pg from "pg";\nexport const p = pg;')).toContain("no-restricted-imports");
  });

  it("accepts pure domain code", async () => {
    expect(await ruleIds("subgraphs/payouts/domain/example.ts", 'import { formatDecimal } from "../../shared/money/money.ts";\nexport const f = formatDecimal;')).toEqual([]);
  });

  describe("one front door per module", () => {
    it.each([
      ["subgraphs/payouts/service/example.ts", '../../balances/service/create-topup.ts'],
      ["subgraphs/payouts/domain/example.ts", '../../accounts/domain/metadata.ts'],
      ["subgraphs/accounts/service/example.ts", '../../ledger/service/read-balances.ts'],
      ["subgraphs/crypto/graphql/example.ts", '../../ledger/domain/ledger.ts'],
      ["subgraphs/ledger/service/example.ts", '../../accounts/index.ts'],
      ["bench/example.ts", '../subgraphs/balances/service/create-transfer.ts'],
      ["cmd/example.ts", '../subgraphs/payouts/service/worker.ts'],
      ["scripts/example.ts", '../subgraphs/ledger/store/integrity.ts'],
    ])("refuses %s importing %s", async (filePath, source) => {
      const code = `import { x } from "${source}";\nexport const y = x;`;
      expect(await ruleIds(filePath, code)).toContain("moneygraph/module-boundaries");
    });

    it("refuses re-exports and dynamic imports of another module's insides", async () => {
      expect(await ruleIds("subgraphs/crypto/example.ts", 'export { post } from "../ledger/service/post.ts";')).toContain("moneygraph/module-boundaries");
      expect(await ruleIds("cmd/example.ts", 'export const m = await import("../subgraphs/crypto/service/worker.ts");')).toContain("moneygraph/module-boundaries");
    });

    it("refuses a benchmark that uses test support", async () => {
      expect(await ruleIds("bench/example.ts", 'import { testDeps } from "../test/support/deps.ts";\nexport const t = testDeps;')).toContain("moneygraph/module-boundaries");
    });

    it.each([
      ["subgraphs/payouts/service/example.ts", '../../balances/api.ts'],
      ["subgraphs/payouts/service/example.ts", '../../ledger/api.ts'],
      ["subgraphs/payouts/service/example.ts", '../domain/lifecycle.ts'],
      ["subgraphs/payouts/service/example.ts", '../../shared/errors.ts'],
      ["subgraphs/index.ts", './accounts/index.ts'],
      ["bench/example.ts", '../subgraphs/accounts/api.ts'],
    ])("accepts %s importing %s", async (filePath, source) => {
      const code = `import { x } from "${source}";\nexport const y = x;`;
      expect(await ruleIds(filePath, code)).not.toContain("moneygraph/module-boundaries");
    });
  });
});
