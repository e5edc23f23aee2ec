// The cost of a dashboard page through the gateway: the platform, its balances, a page of
// connected accounts with their balances and bank accounts, its history and its transfers. The
// number of SQL statements must not grow with the number of accounts on the page: every list is
// one statement and every per-account field one batched statement.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CreateTopupDocument, CreateTransferDocument, DashboardPageDocument } from "./generated/graphql.ts";
import { newBankAccount, newConnectedAccount } from "./support/accounts.ts";
import { newPlatform, ok, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";

let tenant: TestTenant;

// The tables the page reads that no background worker polls (the workers read top-ups, payouts,
// holds, withdrawals and balance events), so that what is counted is the request's.
const PAGE_TABLES = /\b(?:FROM|JOIN)\s+"?(?:account|external_account|ledger_account|ledger_balance|balance_transaction|transfer)\b/;

beforeAll(async () => {
  tenant = await newPlatform("Dashboard page");
  await ok(
    CreateTopupDocument,
    { input: { accountId: tenant.accountId, amount: "100000", currency: "USD" }, key: randomUUID() },
    tenant.key,
  );
  for (let i = 0; i < 50; i++) {
    const seller = await newConnectedAccount(tenant, { displayName: `Seller ${i}` });
    await newBankAccount(tenant, seller);
    if (i % 5 === 0) {
      // Settlement is immediate here; a transfer can fail only while the top-up is pending.
      for (let attempt = 0; ; attempt++) {
        try {
          await ok(
            CreateTransferDocument,
            { input: { destinationAccountId: seller, amount: "100", currency: "USD" }, key: randomUUID() },
            tenant.key,
          );
          break;
        } catch (error) {
          if (attempt > 200) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
  }
}, 180_000);

async function statementsOf(accounts: number): Promise<{ statements: string[]; edges: number }> {
  const db = (await testPlatform()).deps!.db;
  const statements: string[] = [];
  const stop = db.observeStatements((sql) => void (PAGE_TABLES.test(sql) && statements.push(sql)));
  try {
    const page = await ok(DashboardPageDocument, { accounts }, tenant.key);
    expect(page.viewer.transfers.edges).toHaveLength(10);
    expect(page.viewer.transfers.edges.every((edge) => edge.node.destination.displayName.startsWith("Seller "))).toBe(true);
    return { statements, edges: page.viewer.connectedAccounts.edges.length };
  } finally {
    stop();
  }
}

describe("a dashboard page", () => {
  it("reads 5 or 50 connected accounts with their balances and bank accounts in the same few statements", async () => {
    await statementsOf(1); // the gateway caches the key's lookup
    const small = await statementsOf(5);
    const large = await statementsOf(50);
    expect(small.edges).toBe(5);
    expect(large.edges).toBe(50);
    expect(large.statements.length).toBe(small.statements.length);
    // No count: DashboardPage does not ask for totalCount.
    expect(large.statements.filter((sql) => /count\(\*\)/.test(sql))).toEqual([]);
    // The viewer, the accounts page, the balances of all of them at once, their bank accounts,
    // the history, the transfers and the transfers' destinations: one statement each, 7. (The
    // pure-JS planner fetches the viewer's balances apart from its accounts': 8.)
    expect(large.statements.length).toBeLessThanOrEqual(process.env["GATEWAY_PLANNER"] === "js" ? 8 : 7);
  });
});
