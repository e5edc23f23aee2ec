// The ledger's rules are written twice, in TypeScript (domain/ledger.ts, store/ledger-post.ts)
// and in SQL (sql/ledger_post.sql): these tests fail when the two disagree. The constants
// (customer kinds, clearing slots) are read from the SQL functions that hold them; the JSON payload
// is checked against every column list the function reads it with (jsonb_to_recordset … AS
// x(col type, …)), so a field renamed on one side only fails here, not in production.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCurrency } from "../../shared/money/currency.ts";
import { CLEARING_SLOTS, CUSTOMER_KINDS, type Posting } from "../domain/ledger.ts";
import { ledgerPostPayload, type LedgerPostPayload } from "./ledger-post.ts";
import { testId } from "../../../test/support/fixtures.ts";

const SQL = readFileSync(new URL("../sql/ledger_post.sql", import.meta.url), "utf8");
const USD = parseCurrency("USD")!;

/** The body of a constant function: CREATE OR REPLACE FUNCTION name() … AS $$ SELECT <body> $$. */
function constant(name: string): string {
  const match = new RegExp(`FUNCTION\\s+${name}\\(\\)[^$]*\\$\\$\\s*SELECT\\s+([\\s\\S]*?)\\s*\\$\\$`).exec(SQL);
  if (!match) throw new Error(`ledger_post.sql defines no constant function ${name}()`);
  return match[1]!;
}

/** Each `p->'key'` the function reads as a record set, with the columns it reads. */
function recordSets(): { key: string; columns: string[] }[] {
  const sets = [...SQL.matchAll(/jsonb_to_recordset\(p->'(\w+)'\)\s+AS\s+\w+\(([^)]*)\)/g)];
  return sets.map(([, key, list]) => ({ key: key!, columns: list!.split(",").map((column) => column.trim().split(/\s+/)[0]!) }));
}

const posting: Posting = {
  id: "ltx_1",
  kind: "TEST",
  reference: "tu_1",
  entries: [
    { accountId: testId("account", "acct_a"), currency: USD, kind: "TOPUP_CLEARING", amount: -5n },
    { accountId: testId("account", "acct_a"), currency: USD, kind: "PENDING", amount: 5n },
  ],
  balanceTransactions: [
    {
      id: testId("balanceTransaction", "txn_1"),
      accountId: testId("account", "acct_a"),
      type: "TOPUP",
      currency: USD,
      amount: 5n,
      fee: 0n,
      status: "PENDING",
      availableOn: new Date(),
      sourceId: "tu_1",
    },
  ],
};

describe("ledger_post.sql and the TypeScript ledger agree", () => {
  it("on the customer kinds", () => {
    const kinds = [...constant("ledger_customer_kinds").matchAll(/'(\w+)'/g)].map(([, kind]) => kind);
    expect(new Set(kinds)).toEqual(new Set(CUSTOMER_KINDS));
  });

  it("on the number of clearing slots", () => {
    expect(Number(constant("ledger_clearing_slots"))).toBe(CLEARING_SLOTS);
  });

  it("on the payload: every column the function reads is a field LedgerPostPayload sends", () => {
    const payload = ledgerPostPayload([{ scope: { tenantId: testId("account", "acct_p"), livemode: false }, posting }], false);
    const sets = recordSets();
    expect(new Set(sets.map((set) => set.key))).toEqual(new Set(Object.keys(payload).filter((key) => key !== "notify")));
    for (const { key, columns } of sets) {
      const [item] = payload[key as Exclude<keyof LedgerPostPayload, "notify">];
      expect(item, `payload.${key} has no item to compare`).toBeDefined();
      for (const column of columns) expect(Object.keys(item!), `ledger_post reads ${key}.${column}`).toContain(column);
    }
    expect(SQL).toMatch(/p->>'notify'/);
  });
});
