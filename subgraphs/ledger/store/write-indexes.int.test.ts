// Every posting inserts into each index of the tables it writes, so each of those indexes has to
// earn that cost with a statement that reads through it. Three did not (a ledger transaction by
// reference and by tenant and time, a balance transaction by source): nothing looked a row up by
// them, and dropping them cut Postgres's CPU per posting by about a fifth (docs/ledger.md,
// "Indexes the posting pays for"). An index added to these tables fails this test until it is
// listed here with its reader.

import { describe, expect, it } from "vitest";
import { testDatabase } from "../../../test/support/database.ts";

/** The indexes of the tables a posting writes, each with what reads through it. */
const INDEXES: Readonly<Record<string, string>> = {
  "ledger_transaction.ledger_transaction_pkey": "its key; the entries' foreign key",
  "ledger_entry.ledger_entry_pkey": "its key; checkpoints name a chain's head by it",
  "ledger_entry.ledger_entry_ledger_account_id_slot_created_at_id_idx": "a chain's head (ledger_post), balances at a moment, verification",
  "ledger_entry.ledger_entry_transaction_id_idx": "a transaction's entries (the integrity check)",
  "ledger_balance.ledger_balance_pkey": "the balance update and every balance read",
  "balance_transaction.balance_transaction_pkey": "its key; an object's balance transaction by id",
  "balance_transaction.balance_transaction_account_id_created_at_id_idx": "an account's history (balanceTransactions)",
  "balance_event.balance_event_pkey": "the stream's commit order (seq)",
  "balance_event.balance_event_id_key": "a subscription resumed after an event id",
  "balance_event.balance_event_account_id_seq_idx": "an account's events after a point (catch-up, replay)",
};

describe("the indexes a posting writes", () => {
  it("are exactly the ones something reads", async () => {
    const db = await testDatabase();
    const rows = await db.sql.query<{ tablename: string; indexname: string }>(
      `SELECT tablename, indexname FROM pg_indexes
        WHERE schemaname = current_schema()
          AND tablename IN ('ledger_transaction', 'ledger_entry', 'ledger_balance', 'balance_transaction', 'balance_event')
        ORDER BY 1, 2`,
    );
    expect(rows.map((row) => `${row.tablename}.${row.indexname}`).sort()).toEqual(Object.keys(INDEXES).sort());
  });
});
