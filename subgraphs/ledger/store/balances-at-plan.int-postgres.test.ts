// The point-in-time read costs the same whatever the history's length: on one account with
// 100,000 entries, the balance at an early, a middle and a late moment is each one backward
// index scan stopped after its first row (a Limit over ledger_entry's (ledger_account_id, slot,
// created_at, id) index), touching a handful of buffers, about as many for each. Postgres only:
// the plan and its buffer counts are Postgres's.

import { beforeAll, describe, expect, it } from "vitest";
import { databaseMicros } from "../../../test/support/database.ts";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { newId } from "../../shared/ids.ts";
import { pageRequest } from "../../shared/pagination.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import type { Posting } from "../domain/ledger.ts";
import { post } from "../service/post.ts";
import { readBalances, readBalancesAt } from "../service/read-balances.ts";
import { listBalanceTransactions } from "./balance-transactions.ts";

const USD = parseCurrency("USD")!;
const ENTRIES = 100_000;
/** Entries per ledger_post call (one commit): 10 postings of 100 entries on the balance each. */
const PER_CALL = 1_000;
const PER_POSTING = 100;
const ENTRY_INDEX = "ledger_entry_ledger_account_id_slot_created_at_id_idx";
const HISTORY_INDEX = "balance_transaction_account_id_created_at_id_idx";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Scan Direction"?: string;
  "Actual Rows"?: number;
  "Index Cond"?: string;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

function nodes(node: PlanNode, parent?: PlanNode): { node: PlanNode; parent: PlanNode | undefined }[] {
  return [{ node, parent }, ...(node.Plans ?? []).flatMap((child) => nodes(child, node))];
}

/**
 * A client that EXPLAINs the statement it is given instead of running it (the statement and
 * parameters exactly as the store sends them) and hands the reader no rows.
 */
function explaining(sql: SqlClient, options: string, plans: unknown[]): SqlClient {
  return {
    async query<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
      const rows = await sql.query<Record<string, unknown>>(`EXPLAIN (${options}) ${text}`, params);
      plans.push(options.includes("JSON") ? rows[0]!["QUERY PLAN"] : rows.map((row) => row["QUERY PLAN"]).join("\n"));
      return [];
    },
    exec: (script) => sql.exec(script),
  };
}

/**
 * A posting crediting the platform's available balance with entries `first`, `first + 1`, …
 * (amount = its number), and with `history` its line in the account's history.
 */
function credits(scope: PlatformPrincipal, first: number, count: number, history: boolean): Posting {
  const amounts = Array.from({ length: count }, (_, i) => BigInt(first + i));
  const total = amounts.reduce((a, b) => a + b, 0n);
  return {
    id: newId("ledgerTransaction"),
    kind: "TEST",
    entries: [
      { accountId: scope.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -total },
      ...amounts.map((amount) => ({ accountId: scope.tenantId, currency: USD, kind: "AVAILABLE" as const, amount })),
    ],
    balanceTransactions: !history
      ? []
      : [
          {
            id: newId("balanceTransaction"),
            accountId: scope.tenantId,
            type: "ADJUSTMENT",
            currency: USD,
            amount: total,
            fee: 0n,
            status: "AVAILABLE",
            availableOn: new Date(),
          },
        ],
  };
}

describe("a balance at a moment on a long history (Postgres)", () => {
  let deps: Dependencies;
  let scope: PlatformPrincipal;
  const moments: { name: string; micros: bigint; entries: number }[] = [];

  beforeAll(async () => {
    deps = await testDeps();
    scope = await insertPlatform(deps);
    const started = performance.now();
    // Other accounts' balances and history beside it, as on a live database: the planner then
    // reaches ledger_account and balance_transaction through their indexes as it would there,
    // not by reading a table of a few pages.
    const neighbours = await insertPlatform(deps);
    await post(
      deps.db.sql,
      neighbours,
      Array.from({ length: 2_000 }, () => {
        const accountId = newId("account");
        return {
          id: newId("ledgerTransaction"),
          kind: "TEST",
          entries: [
            { accountId: neighbours.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -1n },
            { accountId, currency: USD, kind: "AVAILABLE", amount: 1n },
          ],
          balanceTransactions: [
            {
              id: newId("balanceTransaction"),
              accountId,
              type: "ADJUSTMENT",
              currency: USD,
              amount: 1n,
              fee: 0n,
              status: "AVAILABLE",
              availableOn: new Date(),
            },
          ],
        } satisfies Posting;
      }),
    );
    // Through ledger_post, as every entry is written: ten postings of 100 entries on the
    // account's available balance per call and commit, the first with a line in the history. (Many entries per posting: a posting
    // costs about 1.4 ms here, an entry 0.15 ms, and the history is what is measured.)
    for (let call = 0; call < ENTRIES / PER_CALL; call += 1) {
      const postings = Array.from({ length: PER_CALL / PER_POSTING }, (_, p) =>
        credits(scope, call * PER_CALL + p * PER_POSTING + 1, PER_POSTING, p === 0),
      );
      await deps.db.transaction((sql) => post(sql, scope, postings));
      const written = (call + 1) * PER_CALL;
      if (written === 1_000) moments.push({ name: "early", micros: await databaseMicros(deps.db.sql), entries: written });
      if (written === ENTRIES / 2) moments.push({ name: "middle", micros: await databaseMicros(deps.db.sql), entries: written });
      if (written === ENTRIES - 1_000) moments.push({ name: "late", micros: await databaseMicros(deps.db.sql), entries: written });
    }
    // The statistics autovacuum would have gathered by now on a live database.
    await deps.db.sql.query("ANALYZE ledger_entry, ledger_account, balance_transaction");
    console.log(`wrote ${ENTRIES} entries through ledger_post in ${Math.round(performance.now() - started)} ms`);
  }, 300_000);

  it("holds the entries and answers each moment with the running balance of its prefix", async () => {
    const [row] = await deps.db.sql.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ledger_entry WHERE ledger_account_id = ledger_account_id($1, 'USD', 'AVAILABLE', false)`,
      [scope.tenantId],
    );
    expect(Number(row!.n)).toBe(ENTRIES);
    for (const moment of moments) {
      const n = BigInt(moment.entries);
      const balances = await readBalancesAt(deps.db, scope, [scope.tenantId], moment.micros);
      expect(balances.get(scope.tenantId)).toEqual([{ currency: USD, available: (n * (n + 1n)) / 2n, pending: 0n, held: 0n }]);
    }
    expect(await readBalancesAt(deps.db, scope, [scope.tenantId], new Date())).toEqual(
      await readBalances(deps.db, scope, [scope.tenantId]),
    );
  });

  it("reads an early, a middle and a late moment with one backward index scan under a Limit and a bounded number of buffers", async () => {
    const buffers: number[] = [];
    for (const moment of moments) {
      const plans: unknown[] = [];
      await readBalancesAt(explaining(deps.db.sql, "ANALYZE, BUFFERS, FORMAT JSON", plans), scope, [scope.tenantId], moment.micros);
      await readBalancesAt(explaining(deps.db.sql, "ANALYZE, BUFFERS", plans), scope, [scope.tenantId], moment.micros);
      console.log(`balance at the ${moment.name} moment (after ${moment.entries} of ${ENTRIES} entries):\n${String(plans[1])}`);
      const [json] = plans[0] as [{ Plan: PlanNode }];
      const all = nodes(json.Plan);
      expect(all.filter(({ node }) => node["Node Type"] === "Seq Scan").map(({ node }) => node["Relation Name"])).toEqual([]);
      const entryScans = all.filter(({ node }) => node["Relation Name"] === "ledger_entry");
      expect(entryScans).toHaveLength(1);
      const [{ node: scan, parent }] = entryScans as [{ node: PlanNode; parent: PlanNode | undefined }];
      expect(["Index Scan", "Index Only Scan"]).toContain(scan["Node Type"]);
      expect(scan["Index Name"]).toBe(ENTRY_INDEX);
      expect(scan["Scan Direction"]).toBe("Backward");
      expect(parent?.["Node Type"]).toBe("Limit");
      expect(scan["Actual Rows"]).toBe(1);
      const touched = (json.Plan["Shared Hit Blocks"] ?? 0) + (json.Plan["Shared Read Blocks"] ?? 0);
      expect(touched).toBeLessThan(50);
      buffers.push(touched);
    }
    console.log(`shared buffers (hit + read) for the early, middle and late moments: ${buffers.join(", ")}`);
    expect(Math.max(...buffers) - Math.min(...buffers)).toBeLessThanOrEqual(5);
  });

  it("lists the history created in a range from the history index, the bounds in its index condition", async () => {
    const created = {
      from: { at: new Date(Number(moments[1]!.micros / 1000n)), inclusive: true },
      to: { at: new Date(Number(moments[2]!.micros / 1000n)), inclusive: false },
    };
    const page = pageRequest({ first: 20 });
    const rows = await listBalanceTransactions(deps.db.sql, scope, scope.tenantId, page, created);
    expect(rows).toHaveLength(21);
    for (const row of rows) expect(row.createdAt >= created.from.at && row.createdAt < created.to.at).toBe(true);
    const plans: unknown[] = [];
    await listBalanceTransactions(explaining(deps.db.sql, "ANALYZE, BUFFERS, FORMAT JSON", plans), scope, scope.tenantId, page, created);
    await listBalanceTransactions(explaining(deps.db.sql, "ANALYZE, BUFFERS", plans), scope, scope.tenantId, page, created);
    console.log(`history created in [middle, late):\n${String(plans[1])}`);
    const [json] = plans[0] as [{ Plan: PlanNode }];
    const all = nodes(json.Plan);
    expect(all.filter(({ node }) => node["Node Type"] === "Seq Scan")).toEqual([]);
    // An ordered Index Scan under the Limit, or (when the planner expects few rows in the range)
    // a Bitmap Index Scan and a sort of those few: either way the same index, bounds included.
    const scans = all.filter(({ node }) => node["Index Name"] === HISTORY_INDEX);
    expect(scans).toHaveLength(1);
    expect(["Index Scan", "Bitmap Index Scan"]).toContain(scans[0]!.node["Node Type"]);
    expect(scans[0]!.node["Index Cond"]).toMatch(/created_at >= .*created_at < /);

    // Paging back up from the range's oldest end (`last`): the same index, read the other way.
    const backward = pageRequest({ last: 20 });
    const oldest = await listBalanceTransactions(deps.db.sql, scope, scope.tenantId, backward, created);
    expect(oldest).toHaveLength(21);
    for (const row of oldest) expect(row.createdAt >= created.from.at && row.createdAt < created.to.at).toBe(true);
    for (let i = 1; i < oldest.length; i++) expect(oldest[i]!.createdAt >= oldest[i - 1]!.createdAt).toBe(true);
    const backwardPlans: unknown[] = [];
    await listBalanceTransactions(
      explaining(deps.db.sql, "ANALYZE, BUFFERS, FORMAT JSON", backwardPlans),
      scope,
      scope.tenantId,
      backward,
      created,
    );
    const [backwardJson] = backwardPlans[0] as [{ Plan: PlanNode }];
    const backwardNodes = nodes(backwardJson.Plan);
    expect(backwardNodes.filter(({ node }) => node["Node Type"] === "Seq Scan")).toEqual([]);
    const backwardScans = backwardNodes.filter(({ node }) => node["Index Name"] === HISTORY_INDEX);
    expect(backwardScans).toHaveLength(1);
    expect(backwardScans[0]!.node["Index Cond"]).toMatch(/created_at >= .*created_at < /);
  });
});
