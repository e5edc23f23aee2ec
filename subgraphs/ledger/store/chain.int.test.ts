// ledger_post writes every entry's balance_after and hash chain in SQL; the definition of both
// is TypeScript (../domain/chain.ts). These tests recompute them from the rows.

import { describe, expect, it } from "vitest";
import { testDeps, insertPlatform } from "../../../test/support/deps.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { GENESIS_HASH, entryHash } from "../domain/chain.ts";
import type { Posting } from "../domain/ledger.ts";
import { post, type LedgerScope } from "../service/post.ts";

const USD = parseCurrency("USD")!;

interface ChainRow {
  id: string;
  ledger_account_id: string;
  kind: string;
  slot: number;
  transaction_id: string;
  currency: string;
  amount: string;
  balance_after: string | null;
  micros: string;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

async function chainRows(sql: SqlClient, tenantId: string): Promise<ChainRow[]> {
  return sql.query<ChainRow>(
    `SELECT le.id::text AS id, le.ledger_account_id, la.kind::text AS kind, le.slot, le.transaction_id, le.currency,
            le.amount::text AS amount, le.balance_after::text AS balance_after,
            (extract(epoch FROM le.created_at) * 1000000)::bigint::text AS micros, le.prev_hash, le.hash
       FROM ledger_entry le JOIN ledger_account la ON la.id = le.ledger_account_id
      WHERE la.tenant_id = $1
      ORDER BY le.ledger_account_id, le.slot, le.created_at, le.id`,
    [tenantId],
  );
}

/** Walks every chain of the rows: each entry follows the previous one's hash and hashes to what the definition says. */
function checkChains(rows: readonly ChainRow[]): void {
  let previous: ChainRow | undefined;
  for (const row of rows) {
    const sameChain = previous?.ledger_account_id === row.ledger_account_id && previous.slot === row.slot;
    const prevHash = sameChain ? Buffer.from(previous!.hash) : GENESIS_HASH;
    expect(Buffer.from(row.prev_hash).toString("hex"), `entry ${row.id} follows its chain`).toBe(prevHash.toString("hex"));
    const expected = entryHash(prevHash, {
      ledgerAccountId: row.ledger_account_id,
      slot: row.slot,
      transactionId: row.transaction_id,
      currency: row.currency,
      amount: BigInt(row.amount),
      balanceAfter: row.balance_after === null ? null : BigInt(row.balance_after),
      createdAtMicros: BigInt(row.micros),
    });
    expect(Buffer.from(row.hash).toString("hex"), `entry ${row.id} hashes to its content`).toBe(expected.toString("hex"));
    if (row.kind === "AVAILABLE" || row.kind === "PENDING" || row.kind === "HELD") {
      const before = sameChain ? BigInt(previous!.balance_after ?? "0") : 0n;
      expect(row.balance_after, `entry ${row.id} carries its running balance`).toBe((before + BigInt(row.amount)).toString());
    } else {
      expect(row.balance_after).toBeNull();
    }
    if (sameChain) expect(BigInt(row.micros) >= BigInt(previous!.micros), `entry ${row.id} is not older than the one before`).toBe(true);
    previous = row;
  }
}

function credit(scope: LedgerScope, accountId: AccountId, amount: bigint): Posting {
  return {
    id: newId("ledgerTransaction"),
    kind: "TEST",
    entries: [
      { accountId: scope.tenantId, currency: USD, kind: "TOPUP_CLEARING", amount: -amount },
      { accountId, currency: USD, kind: "AVAILABLE", amount },
    ],
  };
}

describe("ledger hash chains and running balances", () => {
  it("chains every entry, one call with many postings to one account included", async () => {
    const deps = await testDeps();
    const scope = await insertPlatform(deps);
    await post(deps.db.sql, scope, [credit(scope, scope.tenantId, 1_000n)]);
    // One call, ten postings on the same customer balance: ten chained entries, each with its own running balance.
    await post(
      deps.db.sql,
      scope,
      Array.from({ length: 10 }, (_, i) => credit(scope, scope.tenantId, BigInt(i + 1))),
    );
    await post(deps.db.sql, scope, [
      {
        id: newId("ledgerTransaction"),
        kind: "TEST",
        entries: [
          { accountId: scope.tenantId, currency: USD, kind: "AVAILABLE", amount: -300n },
          { accountId: scope.tenantId, currency: USD, kind: "HELD", amount: 300n },
        ],
      },
    ]);
    const rows = await chainRows(deps.db.sql, scope.tenantId);
    expect(rows.filter((row) => row.kind === "AVAILABLE").map((row) => row.balance_after)).toEqual([
      "1000",
      "1001",
      "1003",
      "1006",
      "1010",
      "1015",
      "1021",
      "1028",
      "1036",
      "1045",
      "1055",
      "755",
    ]);
    expect(rows.find((row) => row.kind === "HELD")?.balance_after).toBe("300");
    checkChains(rows);
  });

  it("keeps every chain whole under concurrent postings to one hot account", async () => {
    const deps = await testDeps();
    const scope = await insertPlatform(deps);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => deps.db.transaction((sql) => post(sql, scope, [credit(scope, scope.tenantId, BigInt(i + 1))]))),
    );
    const rows = await chainRows(deps.db.sql, scope.tenantId);
    expect(rows.filter((row) => row.kind === "AVAILABLE")).toHaveLength(40);
    expect(rows.filter((row) => row.kind === "AVAILABLE").at(-1)?.balance_after).toBe(String((40 * 41) / 2));
    checkChains(rows);
  });

  it("breaks at the entry edited behind the ledger's back", async () => {
    const deps = await testDeps();
    const scope = await insertPlatform(deps);
    for (const amount of [10n, 20n, 30n]) await post(deps.db.sql, scope, [credit(scope, scope.tenantId, amount)]);
    const rows = await chainRows(deps.db.sql, scope.tenantId);
    const middle = rows.filter((row) => row.kind === "AVAILABLE")[1]!;
    await deps.db.sql.query("UPDATE ledger_entry SET amount = amount + 1 WHERE id = $1", [middle.id]);
    const edited = await chainRows(deps.db.sql, scope.tenantId);
    expect(() => checkChains(edited)).toThrow(new RegExp(`entry ${middle.id} hashes to its content`));
    await deps.db.sql.query("UPDATE ledger_entry SET amount = amount - 1 WHERE id = $1", [middle.id]);
  });
});
