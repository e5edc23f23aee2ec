-- The ledger's foundations for holds, balances at any moment and a tamper-evident history.
--
-- 1. HELD: a third customer balance (money reserved by a hold), never below zero.
-- 2. ledger_entry.slot: the balance row (ledger_balance.slot) the entry changed. An entry's hash
--    chain is that of its ledger account and slot: the row ledger_post already locks to apply it,
--    so chaining takes no lock of its own (a clearing account spreads over slots, and so do its
--    chains).
-- 3. ledger_entry.balance_after: for a customer balance (one slot), the balance right after the
--    entry, so a balance at any moment is one index lookup. NULL for clearing accounts, whose
--    balance no one asks for at a moment and whose slots each hold a part of it.
-- 4. ledger_entry.prev_hash, hash: the chain. hash = sha256(prev_hash || content), content the
--    entry's canonical text (ledger_entry_content below, mirrored by entryHash in
--    subgraphs/ledger/domain/chain.ts); the first entry of a chain follows 32 zero bytes.
-- 5. ledger_entry.created_at to microseconds, stamped by ledger_post after it holds the slot's
--    lock, so that within a chain the time never goes back and (created_at, id) is chain order.
-- 6. balance_event.held: the held balance after the change, beside available and pending.
--
-- Existing entries are chained here in id order, the order they were applied in (an entry's id
-- is drawn after its balance row is locked). Their created_at was their transaction's start,
-- which on a busy account can run backwards against that order; each becomes the latest time
-- of its chain so far (the running maximum in id order), so that, as for every later entry,
-- (created_at, id) order is chain order and a balance at a moment reads the running balance.

ALTER TYPE "LedgerAccountKind" ADD VALUE IF NOT EXISTS 'HELD' AFTER 'PENDING';

-- ledger_entry_content's current definition lives in subgraphs/ledger/sql/ledger_post.sql
-- (re-applied on change); it is created here, with the chain's fold, for the backfill below.
CREATE OR REPLACE FUNCTION ledger_entry_content(ledger_account_id text, slot int, transaction_id text, currency text,
                                                amount numeric, balance_after numeric, created_at timestamptz)
RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT convert_to(concat_ws('|', ledger_account_id, slot, transaction_id, currency, amount, coalesce(balance_after::text, ''),
                              (extract(epoch FROM created_at) * 1000000)::bigint), 'UTF8')
$$;

CREATE OR REPLACE FUNCTION ledger_chain_step(state bytea, head bytea, content bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sha256(coalesce(state, head) || content)
$$;

CREATE OR REPLACE AGGREGATE ledger_chain(bytea, bytea) (SFUNC = ledger_chain_step, STYPE = bytea);

ALTER TABLE "ledger_entry"
  ADD COLUMN "slot" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "balance_after" DECIMAL(38,0),
  ADD COLUMN "prev_hash" BYTEA,
  ADD COLUMN "hash" BYTEA,
  ALTER COLUMN "created_at" SET DATA TYPE TIMESTAMPTZ(6);

WITH running AS (
  SELECT le.id, le.ledger_account_id, le.slot, le.transaction_id, le.currency, le.amount,
         max(le.created_at) OVER (PARTITION BY le.ledger_account_id ORDER BY le.id) AS created_at,
         CASE WHEN la.kind::text IN ('AVAILABLE', 'PENDING')
              THEN sum(le.amount) OVER (PARTITION BY le.ledger_account_id ORDER BY le.id) END AS balance_after
    FROM ledger_entry le JOIN ledger_account la ON la.id = le.ledger_account_id
), chained AS (
  SELECT r.id, r.balance_after, r.created_at,
         ledger_chain(decode(repeat('00', 32), 'hex'),
                      ledger_entry_content(r.ledger_account_id, r.slot, r.transaction_id, r.currency, r.amount, r.balance_after, r.created_at))
           OVER (PARTITION BY r.ledger_account_id, r.slot ORDER BY r.id) AS hash,
         r.ledger_account_id, r.slot
    FROM running r
), linked AS (
  SELECT c.id, c.balance_after, c.created_at, c.hash,
         coalesce(lag(c.hash) OVER (PARTITION BY c.ledger_account_id, c.slot ORDER BY c.id), decode(repeat('00', 32), 'hex')) AS prev_hash
    FROM chained c
)
UPDATE ledger_entry le SET balance_after = l.balance_after, created_at = l.created_at, hash = l.hash, prev_hash = l.prev_hash
  FROM linked l WHERE l.id = le.id;

-- Only the backfill folds a whole chain in one statement; ledger_post chains as it writes.
DROP AGGREGATE ledger_chain(bytea, bytea);
DROP FUNCTION ledger_chain_step(bytea, bytea, bytea);

ALTER TABLE "ledger_entry"
  ALTER COLUMN "prev_hash" SET NOT NULL,
  ALTER COLUMN "hash" SET NOT NULL;

-- One index serves the chain's head (ledger_post), a balance at a moment and the chain walk.
DROP INDEX "ledger_entry_ledger_account_id_id_idx";
CREATE INDEX "ledger_entry_ledger_account_id_slot_created_at_id_idx" ON "ledger_entry"("ledger_account_id", "slot", "created_at", "id");

ALTER TABLE "balance_event" ADD COLUMN "held" DECIMAL(38,0) NOT NULL DEFAULT 0;
