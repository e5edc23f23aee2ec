// The layering rules must be able to fail: lint a domain file that imports GraphQL, Prisma or
// reads the environment, a resolver that queries the database, shared code that reaches into a
// subgraph, a module, entry point or benchmark that imports another module's insides, GraphQL
// code that sees database rows, and storage (SQL, database calls, Prisma) outside a store.
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
    expect(await ruleIds("subgraphs/payouts/graphql/example.ts", 'import pg from "pg";\nexport const p = pg;')).toContain(
      "no-restricted-imports",
    );
  });

  it.each([
    ['import type { Account } from "../../../prisma/generated/client.ts";\nexport type A = Account;'],
    ['import { toBigInt } from "../../shared/db/decimal.ts";\nexport const t = toBigInt;'],
    ['import type { SqlClient } from "../../shared/db/database.ts";\nexport type S = SqlClient;'],
  ])("refuses GraphQL code that sees database rows: %s", async (code) => {
    expect(await ruleIds("subgraphs/payouts/graphql/example.type.ts", code)).toContain("no-restricted-imports");
  });

  describe("storage lives in the module's store", () => {
    const store = "moneygraph/storage-in-store";
    it.each([
      ["subgraphs/accounts/service/example.ts", "export const q = `SELECT id FROM account WHERE id = $1`;"],
      ["subgraphs/balances/service/example.ts", 'export const q = "-- a top-up\\nINSERT INTO topup (id) VALUES ($1)";'],
      ["subgraphs/balances/service/example.ts", "export const q = (cols: string) => `  ${cols} FROM topup FOR UPDATE SKIP LOCKED`;"],
      ["subgraphs/ledger/service/example.ts", "export const q = (t: string) => `UPDATE ${t} SET status = 'PAID' WHERE id = $1`;"],
      ["subgraphs/balances/service/example.ts", "export const q = `\n  WITH due AS (SELECT 1) SELECT * FROM due`;"],
      ["subgraphs/accounts/service/example.ts", "export const q = (where: string) => `DELETE FROM api_key ${where}`;"],
      ["subgraphs/balances/graphql/example.resolver.ts", "export const q = 'SELECT ledger_post($1)';"],
    ])("refuses SQL text in %s: %s", async (filePath, code) => {
      expect(await ruleIds(filePath, code)).toContain(store);
    });

    it.each([
      ["subgraphs/accounts/service/example.ts", "export const f = (sql: { query(t: string): unknown }, text: string) => sql.query(text);"],
      [
        "subgraphs/accounts/service/example.ts",
        'export const f = (sql: { query(t: string): unknown }) => sql.query("select id from account");',
      ],
      ["subgraphs/ledger/service/example.ts", "export const f = (db: { sql: { exec(t: string): unknown } }, t: string) => db.sql.exec(t);"],
      [
        "subgraphs/balances/service/example.ts",
        "export const f = (tx: { $queryRaw(t: TemplateStringsArray): unknown }) => tx.$queryRaw`x`;",
      ],
      ["subgraphs/accounts/graphql/example.resolver.ts", "export const f = (deps: { db: { prisma: unknown } }) => deps.db.prisma;"],
    ])("refuses a database call or the Prisma client in %s: %s", async (filePath, code) => {
      expect(await ruleIds(filePath, code)).toContain(store);
    });

    it.each([
      [
        "subgraphs/accounts/store/example.ts",
        "export const f = (sql: { query(t: string): unknown }) => sql.query(`SELECT id FROM account`);",
      ],
      ["subgraphs/accounts/service/example.ts", 'export const mode: "UPDATE" | "SHARE" = "UPDATE";'],
      ["subgraphs/accounts/service/example.ts", 'export const m = /^(\\d{4})$/.exec("2024");'],
      ["subgraphs/balances/service/example.ts", 'export const message = "Select a currency, then update the amount from the form";'],
    ])("accepts %s: %s", async (filePath, code) => {
      expect(await ruleIds(filePath, code)).not.toContain(store);
    });
  });

  it.each([
    ["subgraphs/shared/config.ts", 'import { tableRateSource } from "../crypto/domain/rates.ts";\nexport const t = tableRateSource;'],
    ["subgraphs/shared/money/example.ts", 'import { post } from "../../ledger/api.ts";\nexport const p = post;'],
  ])("refuses shared code that depends on a subgraph (%s)", async (filePath, code) => {
    expect(await ruleIds(filePath, code)).toContain("no-restricted-imports");
  });

  it("refuses shared money code that does I/O", async () => {
    expect(await ruleIds("subgraphs/shared/money/example.ts", 'import pg from "pg";\nexport const p = pg;')).toContain(
      "no-restricted-imports",
    );
  });

  it("accepts pure domain code", async () => {
    expect(
      await ruleIds(
        "subgraphs/payouts/domain/example.ts",
        'import { formatDecimal } from "../../shared/money/money.ts";\nexport const f = formatDecimal;',
      ),
    ).toEqual([]);
  });

  describe("one front door per module", () => {
    it.each([
      ["subgraphs/payouts/service/example.ts", "../../balances/service/create-topup.ts"],
      ["subgraphs/payouts/domain/example.ts", "../../accounts/domain/metadata.ts"],
      ["subgraphs/accounts/service/example.ts", "../../ledger/service/read-balances.ts"],
      ["subgraphs/crypto/graphql/example.ts", "../../ledger/domain/ledger.ts"],
      ["subgraphs/ledger/service/example.ts", "../../accounts/index.ts"],
      ["bench/example.ts", "../subgraphs/balances/service/create-transfer.ts"],
      ["cmd/example.ts", "../subgraphs/payouts/service/worker.ts"],
      ["scripts/example.ts", "../subgraphs/ledger/store/integrity.ts"],
    ])("refuses %s importing %s", async (filePath, source) => {
      const code = `import { x } from "${source}";\nexport const y = x;`;
      expect(await ruleIds(filePath, code)).toContain("moneygraph/module-boundaries");
    });

    it("refuses re-exports and dynamic imports of another module's insides", async () => {
      expect(await ruleIds("subgraphs/crypto/example.ts", 'export { post } from "../ledger/service/post.ts";')).toContain(
        "moneygraph/module-boundaries",
      );
      expect(await ruleIds("cmd/example.ts", 'export const m = await import("../subgraphs/crypto/service/worker.ts");')).toContain(
        "moneygraph/module-boundaries",
      );
    });

    it("refuses a benchmark that uses test support", async () => {
      expect(
        await ruleIds("bench/example.ts", 'import { testDeps } from "../test/support/deps.ts";\nexport const t = testDeps;'),
      ).toContain("moneygraph/module-boundaries");
    });

    it.each([
      ["subgraphs/payouts/service/example.ts", "../../balances/api.ts"],
      ["subgraphs/payouts/service/example.ts", "../../ledger/api.ts"],
      ["subgraphs/payouts/service/example.ts", "../domain/lifecycle.ts"],
      ["subgraphs/payouts/service/example.ts", "../../shared/errors.ts"],
      ["subgraphs/index.ts", "./accounts/index.ts"],
      ["bench/example.ts", "../subgraphs/accounts/api.ts"],
    ])("accepts %s importing %s", async (filePath, source) => {
      const code = `import { x } from "${source}";\nexport const y = x;`;
      expect(await ruleIds(filePath, code)).not.toContain("moneygraph/module-boundaries");
    });
  });
});
