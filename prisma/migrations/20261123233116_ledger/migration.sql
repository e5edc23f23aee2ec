-- CreateEnum
CREATE TYPE "TopupStatus" AS ENUM ('PENDING', 'SUCCEEDED');

-- AlterTable
ALTER TABLE "ledger_account" ADD COLUMN     "slots" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "topup" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "amount" DECIMAL(38,0) NOT NULL,
    "status" "TopupStatus" NOT NULL DEFAULT 'PENDING',
    "description" VARCHAR(500),
    "settles_at" TIMESTAMPTZ(3) NOT NULL,
    "settled_at" TIMESTAMPTZ(3),
    "balance_transaction_id" VARCHAR(40) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "topup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transfer" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "source_account_id" VARCHAR(40) NOT NULL,
    "destination_account_id" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "amount" DECIMAL(38,0) NOT NULL,
    "description" VARCHAR(500),
    "balance_transaction_id" VARCHAR(40) NOT NULL,
    "destination_balance_transaction_id" VARCHAR(40) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transfer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "topup_status_settles_at_idx" ON "topup"("status", "settles_at");

-- CreateIndex
CREATE INDEX "topup_account_id_created_at_id_idx" ON "topup"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "transfer_tenant_id_created_at_id_idx" ON "transfer"("tenant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "transfer_destination_account_id_created_at_id_idx" ON "transfer"("destination_account_id", "created_at" DESC, "id" DESC);


-- The ledger's write path, in one statement (hand-written: Prisma does not manage functions).
--
-- ledger_post(p) appends one or more ledger transactions with their entries and customer-facing
-- balance transactions, applies the balance changes, and writes the balance events (the
-- transactional outbox) with a NOTIFY, all inside the caller's database transaction. Doing it
-- server-side keeps row locks short: a hot balance row is held from its update to the commit,
-- not across client round trips.
--
-- Invariants it keeps:
--   * balances change only together with appended entries of the same amount;
--   * customer balances (AVAILABLE, PENDING) never go below zero: 'MG001' insufficient funds;
--   * locks are taken in one global order (balance rows by ledger account id, then per-account
--     advisory locks by key), so concurrent postings cannot deadlock each other;
--   * per account, balance events are numbered under that account's advisory lock, so their seq
--     order is their commit order (what subscribers resume by).
-- The caller (subgraphs/balances/ledger) validates that entries balance per currency and
-- generates every id; the function trusts its shape but not the balances.

CREATE FUNCTION ledger_account_id(p_account_id text, p_currency text, p_kind text, p_livemode boolean)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'la_' || substr(md5(p_account_id || ':' || p_currency || ':' || p_kind || ':' || p_livemode::text), 1, 24)
$$;

CREATE FUNCTION ledger_post(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_tenant   text    := p->>'tenant_id';
  v_livemode boolean := (p->>'livemode')::boolean;
  d          record;
  v_slot     int;
  v_done     int;
  v_balances jsonb := '[]'::jsonb;
  ev         record;
BEGIN
  INSERT INTO ledger_transaction (id, tenant_id, livemode, kind, reference, reverses_id)
  SELECT t.id, v_tenant, v_livemode, t.kind, t.reference, t.reverses_id
    FROM jsonb_to_recordset(p->'transactions') AS t(id text, kind text, reference text, reverses_id text);

  INSERT INTO balance_transaction (id, tenant_id, livemode, account_id, type, currency, amount, fee, net, status,
                                   available_on, description, source_id, ledger_transaction_id)
  SELECT b.id, v_tenant, v_livemode, b.account_id, b.type::"BalanceTransactionType", b.currency, b.amount::numeric,
         b.fee::numeric, b.net::numeric, b.status::"BalanceTransactionStatus", b.available_on::timestamptz,
         b.description, b.source_id, b.ledger_transaction_id
    FROM jsonb_to_recordset(p->'balance_transactions')
      AS b(id text, account_id text, type text, currency text, amount text, fee text, net text, status text,
           available_on text, description text, source_id text, ledger_transaction_id text);

  -- One net change per ledger account, in ledger account id order (the global lock order).
  FOR d IN
    SELECT ledger_account_id(x.account_id, x.currency, x.kind, v_livemode) AS la_id,
           x.account_id, x.currency, x.kind, sum(x.amount::numeric) AS delta,
           x.kind IN ('AVAILABLE', 'PENDING') AS customer
      FROM jsonb_to_recordset(p->'entries') AS x(account_id text, currency text, kind text, amount text)
     GROUP BY 1, 2, 3, 4
     ORDER BY 1
  LOOP
    FOR attempt IN 1..2 LOOP
      IF d.customer THEN
        UPDATE ledger_balance SET balance = balance + d.delta, updated_at = now()
         WHERE ledger_account_id = d.la_id AND slot = 0 AND balance + d.delta >= 0;
      ELSE
        -- Clearing accounts spread over slots: concurrent postings pick different rows.
        v_slot := floor(random() * 16)::int;
        UPDATE ledger_balance SET balance = balance + d.delta, updated_at = now()
         WHERE ledger_account_id = d.la_id AND slot = v_slot;
      END IF;
      GET DIAGNOSTICS v_done = ROW_COUNT;
      EXIT WHEN v_done = 1;
      IF attempt = 2 OR EXISTS (SELECT 1 FROM ledger_account WHERE id = d.la_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'MG001', MESSAGE = 'insufficient funds',
          DETAIL = d.account_id || ':' || d.currency || ':' || d.kind;
      END IF;
      -- First money in this account, currency and kind: open the ledger account.
      INSERT INTO ledger_account (id, tenant_id, livemode, account_id, currency, kind, allow_negative, slots)
      VALUES (d.la_id, v_tenant, v_livemode, d.account_id, d.currency, d.kind::"LedgerAccountKind",
              NOT d.customer, CASE WHEN d.customer THEN 1 ELSE 16 END)
      ON CONFLICT (id) DO NOTHING;
      INSERT INTO ledger_balance (ledger_account_id, slot, balance)
      SELECT d.la_id, s, 0 FROM generate_series(0, CASE WHEN d.customer THEN 0 ELSE 15 END) AS s
      ON CONFLICT DO NOTHING;
    END LOOP;
  END LOOP;

  INSERT INTO ledger_entry (transaction_id, ledger_account_id, currency, amount)
  SELECT x.transaction_id, ledger_account_id(x.account_id, x.currency, x.kind, v_livemode), x.currency, x.amount::numeric
    FROM jsonb_to_recordset(p->'entries') AS x(transaction_id text, account_id text, currency text, kind text, amount text);

  -- Per-account event order: take every touched account's lock (in key order), then number.
  PERFORM pg_advisory_xact_lock(k)
     FROM (SELECT DISTINCT hashtextextended(e.account_id, 0) AS k
             FROM jsonb_to_recordset(p->'events') AS e(account_id text)) keys
    ORDER BY k;

  FOR ev IN
    SELECT e.id, e.account_id, e.currency, e.balance_transaction_id
      FROM jsonb_to_recordset(p->'events') AS e(id text, account_id text, currency text, balance_transaction_id text)
     ORDER BY e.account_id, e.currency
  LOOP
    WITH bal AS (
      SELECT coalesce(sum(lb.balance) FILTER (WHERE lb.ledger_account_id = ledger_account_id(ev.account_id, ev.currency, 'AVAILABLE', v_livemode)), 0) AS available,
             coalesce(sum(lb.balance) FILTER (WHERE lb.ledger_account_id = ledger_account_id(ev.account_id, ev.currency, 'PENDING', v_livemode)), 0) AS pending
        FROM ledger_balance lb
       WHERE lb.ledger_account_id IN (ledger_account_id(ev.account_id, ev.currency, 'AVAILABLE', v_livemode),
                                      ledger_account_id(ev.account_id, ev.currency, 'PENDING', v_livemode))
    ), inserted AS (
      INSERT INTO balance_event (id, tenant_id, livemode, account_id, currency, available, pending, balance_transaction_id)
      SELECT ev.id, v_tenant, v_livemode, ev.account_id, ev.currency, c.available, c.pending, ev.balance_transaction_id
        FROM bal c
      RETURNING account_id, currency, available, pending
    )
    SELECT v_balances || jsonb_agg(jsonb_build_object('account_id', i.account_id, 'currency', i.currency,
                                                      'available', i.available::text, 'pending', i.pending::text))
      INTO v_balances
      FROM inserted i;
  END LOOP;

  PERFORM pg_notify('balance_events', a.account_id)
     FROM (SELECT DISTINCT e.account_id FROM jsonb_to_recordset(p->'events') AS e(account_id text)) a;

  RETURN jsonb_build_object('balances', v_balances);
END
$$;
