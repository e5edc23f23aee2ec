-- ledger_post: the current definition of the ledger's one write, the only place it is defined.
-- The migrator (prisma/migrate.ts) applies this file after the versioned migrations whenever
-- its text changed (CREATE OR REPLACE; the applied text's sha256 is kept as the function's
-- comment), so editing it here is how the function changes. Migrations before 2026-11-30
-- created and redefined it in place; they stay as history.
--
-- Its argument is LedgerPostPayload (subgraphs/ledger/store/ledger-post.ts): the postings' rows
-- as JSON, each with its own scope (tenant and mode), so one call, and one commit, can carry the
-- postings of many platforms (the group commit of transfers batches across platforms).
--
-- - Lock order: ledger accounts are changed in ledger account id order, the global lock order.
-- - Customer balances (ledger_customer_kinds()) never go below zero: SQLSTATE MG001, nothing
--   applied.
-- - Clearing accounts spread their balance over ledger_clearing_slots() rows, so concurrent
--   postings pick different rows; customer balances are one row (slot 0).
-- - Ledger accounts open on first use, safely under races (every unique index is an arbiter).
-- - Every entry records the balance row (slot) it changed and, for a customer balance, the
--   balance right after it (balance_after), and extends that row's hash chain: prev_hash is
--   the chain's head, hash = sha256(prev_hash || the entry's content). The chain's head
--   is read under the row lock the balance update took, and entries are stamped after every
--   lock is held, so within a chain time never goes back and no lock is added.
-- - One balance event per posting and account-currency, numbered per account in commit order.
-- - It signals the touched accounts with NOTIFY only when asked ("notify": true). A transaction
--   that notifies holds Postgres's notification-queue lock from its commit until the commit is
--   flushed, so notifying transactions commit one at a time; callers whose connection knows
--   when it commits notify after the commit instead (subgraphs/shared/db/notifier.ts).
--
-- The constants shared with TypeScript, and the payload's columns, are checked against it by
-- subgraphs/ledger/store/ledger-post.test.ts.

-- The constants shared with TypeScript, as functions Postgres inlines into a literal where they
-- are used (IMMUTABLE SQL, see EXPLAIN VERBOSE): as fast as writing the literal, where PL/pgSQL
-- CONSTANT variables made ledger_post about a quarter slower on a hot account (pgbench, 16
-- clients posting to one account: about 250 against 325 posts/s).

-- CUSTOMER_KINDS in subgraphs/ledger/domain/ledger.ts: the balances account holders see, never
-- below zero.
CREATE OR REPLACE FUNCTION ledger_customer_kinds() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY['AVAILABLE', 'PENDING', 'HELD']
$$;

-- CLEARING_SLOTS in subgraphs/ledger/domain/ledger.ts: the rows a clearing account's balance is
-- spread over.
CREATE OR REPLACE FUNCTION ledger_clearing_slots() RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 16
$$;

-- The chain. An entry's content is its canonical text, UTF-8: ledger account id, slot,
-- transaction id, currency, amount, balance_after ('' when null) and created_at in microseconds
-- since the epoch, joined by '|'. entryHash (subgraphs/ledger/domain/chain.ts) computes the same
-- bytes, and the chain tests check the two agree; `npm run ledger:verify` recomputes every chain.
-- It is written out in ledger_post's hashing loop, the one place that computes it: as a function
-- (PL/pgSQL; a SQL function whose body is only STABLE is planned again at every call) it cost
-- each call of ledger_post about 6% more.
DROP FUNCTION IF EXISTS ledger_entry_content(text, int, text, text, numeric, numeric, timestamptz);

-- The hash before a chain's first entry.
CREATE OR REPLACE FUNCTION ledger_chain_genesis() RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
$$;

-- Generic plans: its statements' plans depend on nothing but the shape of the payload, and
-- planning them anew at every call (PL/pgSQL's default for statements with parameters, until
-- it trusts a generic plan) cost more than executing them (docs/ledger.md, "Throughput").
CREATE OR REPLACE FUNCTION ledger_post(p jsonb) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  d         record;
  v_slot    int;
  v_done    int;
  v_current numeric;
  v_after   numeric;
  v_balance numeric;
  v_head    bytea;
  v_at      timestamptz;
  n         int := 0;
  -- The balance rows changed, in lock order, with their chains' heads.
  a_n       int := 0;
  a_la      text[];
  a_slot    int[];
  a_head    bytea[];
  a_last_at timestamptz[];
  -- The entries to insert, in chain order (ledger account id, then payload order).
  e_tx      text[];
  e_la      text[];
  e_slot    int[];
  e_currency text[];
  e_amount  numeric[];
  e_balance numeric[];
  e_at      timestamptz[];
  e_prev    bytea[];
  e_hash    bytea[];
  e_row     int[];
BEGIN
  INSERT INTO ledger_transaction (id, tenant_id, livemode, kind, reference, reverses_id)
  SELECT t.id, t.tenant_id, t.livemode, t.kind, t.reference, t.reverses_id
    FROM jsonb_to_recordset(p->'transactions')
      AS t(id text, tenant_id text, livemode boolean, kind text, reference text, reverses_id text);

  INSERT INTO balance_transaction (id, tenant_id, livemode, account_id, type, currency, amount, fee, net, status,
                                   available_on, description, source_id, ledger_transaction_id)
  SELECT b.id, b.tenant_id, b.livemode, b.account_id, b.type::"BalanceTransactionType", b.currency, b.amount::numeric,
         b.fee::numeric, b.net::numeric, b.status::"BalanceTransactionStatus", b.available_on::timestamptz,
         b.description, b.source_id, b.ledger_transaction_id
    FROM jsonb_to_recordset(p->'balance_transactions')
      AS b(id text, tenant_id text, livemode boolean, account_id text, type text, currency text, amount text, fee text,
           net text, status text, available_on text, description text, source_id text, ledger_transaction_id text);

  -- One net change per ledger account, in ledger account id order (the global lock order),
  -- with its entries in payload order.
  FOR d IN
    SELECT ledger_account_id(x.account_id, x.currency, x.kind, x.livemode) AS la_id,
           x.tenant_id, x.livemode, x.account_id, x.currency, x.kind, sum(x.amount::numeric) AS delta,
           x.kind = ANY(ledger_customer_kinds()) AS customer,
           array_agg(x.transaction_id ORDER BY x.ord) AS transaction_ids,
           array_agg(x.amount::numeric ORDER BY x.ord) AS amounts
      FROM ROWS FROM (jsonb_to_recordset(p->'entries')
             AS (tenant_id text, livemode boolean, account_id text, currency text, kind text, amount text, transaction_id text))
           WITH ORDINALITY AS x(tenant_id, livemode, account_id, currency, kind, amount, transaction_id, ord)
     GROUP BY 1, 2, 3, 4, 5, 6
     ORDER BY 1
  LOOP
    v_done := 0;
    FOR attempt IN 1..3 LOOP
      v_slot := CASE WHEN d.customer THEN 0 ELSE floor(random() * ledger_clearing_slots())::int END;
      -- Customer balances never go below zero; clearing accounts spread over slots so that
      -- concurrent postings pick different rows.
      UPDATE ledger_balance SET balance = balance + d.delta, updated_at = now()
       WHERE ledger_account_id = d.la_id AND slot = v_slot AND (NOT d.customer OR balance + d.delta >= 0)
      RETURNING balance INTO v_after;
      GET DIAGNOSTICS v_done = ROW_COUNT;
      EXIT WHEN v_done = 1;
      -- Not updated: short of funds, or the row is not visible to this statement's snapshot
      -- (another transaction created it and committed since). A locking read sees the latest.
      SELECT balance INTO v_current FROM ledger_balance WHERE ledger_account_id = d.la_id AND slot = v_slot FOR UPDATE;
      IF FOUND THEN
        IF d.customer AND v_current + d.delta < 0 THEN
          RAISE EXCEPTION USING ERRCODE = 'MG001', MESSAGE = 'insufficient funds',
            DETAIL = d.account_id || ':' || d.currency || ':' || d.kind;
        END IF;
        CONTINUE;
      END IF;
      -- First money in this account, currency and kind: open the ledger account (waits for a
      -- concurrent opener to commit, then does nothing). No conflict target: every unique
      -- index is an arbiter, so a racing opener cannot fail on (account, currency, kind, mode).
      INSERT INTO ledger_account (id, tenant_id, livemode, account_id, currency, kind, allow_negative, slots)
      VALUES (d.la_id, d.tenant_id, d.livemode, d.account_id, d.currency, d.kind::"LedgerAccountKind",
              NOT d.customer, CASE WHEN d.customer THEN 1 ELSE ledger_clearing_slots() END)
      ON CONFLICT DO NOTHING;
      INSERT INTO ledger_balance (ledger_account_id, slot, balance)
      SELECT d.la_id, s, 0 FROM generate_series(0, CASE WHEN d.customer THEN 0 ELSE ledger_clearing_slots() - 1 END) AS s
      ON CONFLICT DO NOTHING;
    END LOOP;
    IF v_done <> 1 THEN
      RAISE EXCEPTION 'ledger_post could not apply % to %', d.delta, d.la_id;
    END IF;

    -- The row is locked: its entries, in payload order, with the balance after each (a customer
    -- balance's) and the row they extend; chained below, once every row is locked.
    a_n := a_n + 1;
    a_la[a_n] := d.la_id;
    a_slot[a_n] := v_slot;
    v_balance := v_after - d.delta;
    FOR k IN 1..cardinality(d.amounts) LOOP
      n := n + 1;
      v_balance := v_balance + d.amounts[k];
      e_tx[n] := d.transaction_ids[k];
      e_la[n] := d.la_id;
      e_slot[n] := v_slot;
      e_currency[n] := d.currency;
      e_amount[n] := d.amounts[k];
      e_balance[n] := CASE WHEN d.customer THEN v_balance END;
      e_row[n] := a_n;
    END LOOP;
  END LOOP;

  -- Every row is locked: read each chain's head (its latest entry) in one statement, whose
  -- snapshot, taken now, holds every entry committed before the locks were granted. Each row's
  -- entries are stamped now, after its head's own stamp (greatest() keeps it so should the clock
  -- step back), and chained onto it: hash = sha256(prev_hash || content).
  SELECT array_agg(coalesce(h.hash, ledger_chain_genesis()) ORDER BY r.i), array_agg(h.created_at ORDER BY r.i)
    INTO a_head, a_last_at
    FROM unnest(a_la, a_slot) WITH ORDINALITY AS r(la_id, slot, i)
    LEFT JOIN LATERAL (
      SELECT le.hash, le.created_at
        FROM ledger_entry le
       WHERE le.ledger_account_id = r.la_id AND le.slot = r.slot
       ORDER BY le.created_at DESC, le.id DESC
       LIMIT 1
    ) h ON true;
  FOR i IN 1..n LOOP
    IF i = 1 OR e_row[i] <> e_row[i - 1] THEN
      v_head := a_head[e_row[i]];
      v_at := greatest(clock_timestamp(), a_last_at[e_row[i]]);
    END IF;
    e_at[i] := v_at;
    e_prev[i] := v_head;
    -- The entry's content (see above).
    v_head := sha256(v_head || convert_to(concat_ws('|', e_la[i], e_slot[i], e_tx[i], e_currency[i], e_amount[i],
                                                    coalesce(e_balance[i]::text, ''), (extract(epoch FROM v_at) * 1000000)::bigint), 'UTF8'));
    e_hash[i] := v_head;
  END LOOP;

  -- In chain order, so that ids follow it too.
  INSERT INTO ledger_entry (transaction_id, ledger_account_id, slot, currency, amount, balance_after, created_at, prev_hash, hash)
  SELECT * FROM unnest(e_tx, e_la, e_slot, e_currency, e_amount, e_balance, e_at, e_prev, e_hash);

  -- Per-account event order: take every touched account's lock (in key order), then number.
  PERFORM pg_advisory_xact_lock(k)
     FROM (SELECT DISTINCT hashtextextended(e.account_id, 0) AS k
             FROM jsonb_to_recordset(p->'events') AS e(account_id text)) keys
    ORDER BY k;

  -- One event per posting and account-currency it changed, each with the account's three customer
  -- balances right after that posting (read under the account's lock, just taken).
  IF jsonb_array_length(p->'transactions') = 1 THEN
    -- One posting (every caller but the transfers' group commit): the balances now are the
    -- balances after it. Primary-key lookups, and nothing else: the general form below costs a
    -- call about a tenth more (docs/ledger.md, "Throughput with holds and chains").
    INSERT INTO balance_event (id, tenant_id, livemode, account_id, currency, available, pending, held, balance_transaction_id)
    SELECT e.id, e.tenant_id, e.livemode, e.account_id, e.currency,
           coalesce((SELECT lb.balance FROM ledger_balance lb
                      WHERE lb.ledger_account_id = ledger_account_id(e.account_id, e.currency, 'AVAILABLE', e.livemode) AND lb.slot = 0), 0),
           coalesce((SELECT lb.balance FROM ledger_balance lb
                      WHERE lb.ledger_account_id = ledger_account_id(e.account_id, e.currency, 'PENDING', e.livemode) AND lb.slot = 0), 0),
           coalesce((SELECT lb.balance FROM ledger_balance lb
                      WHERE lb.ledger_account_id = ledger_account_id(e.account_id, e.currency, 'HELD', e.livemode) AND lb.slot = 0), 0),
           e.balance_transaction_id
      FROM jsonb_to_recordset(p->'events')
        AS e(id text, tenant_id text, livemode boolean, account_id text, currency text, balance_transaction_id text, posting int)
     ORDER BY e.account_id, e.currency;
  ELSE
    -- Several postings, in posting order: the final balance less what the later postings of this
    -- call moved (their entries read from the payload once, not once per event). A batch of
    -- postings therefore reads, event by event, exactly like the same postings committed one at a
    -- time. Customer balances are one row (slot 0). Rows are inserted in that order, so their seq
    -- follows it.
    WITH moved AS MATERIALIZED (
      SELECT x.livemode, x.account_id, x.currency, x.kind, x.amount::numeric AS amount, x.posting
        FROM jsonb_to_recordset(p->'entries')
          AS x(livemode boolean, account_id text, currency text, kind text, amount text, posting int)
       WHERE x.kind = ANY(ledger_customer_kinds())
    )
    INSERT INTO balance_event (id, tenant_id, livemode, account_id, currency, available, pending, held, balance_transaction_id)
    SELECT e.id, e.tenant_id, e.livemode, e.account_id, e.currency,
           -- The account's three customer balances now, each a primary-key lookup, as in the
           -- branch above. (Joined to the three kinds instead, the generic plan, made while the
           -- table was small, hashed them and scanned all of ledger_balance for every event.)
           coalesce((SELECT lb.balance FROM ledger_balance lb
                      WHERE lb.ledger_account_id = ledger_account_id(e.account_id, e.currency, 'AVAILABLE', e.livemode) AND lb.slot = 0), 0)
             - later.available,
           coalesce((SELECT lb.balance FROM ledger_balance lb
                      WHERE lb.ledger_account_id = ledger_account_id(e.account_id, e.currency, 'PENDING', e.livemode) AND lb.slot = 0), 0)
             - later.pending,
           coalesce((SELECT lb.balance FROM ledger_balance lb
                      WHERE lb.ledger_account_id = ledger_account_id(e.account_id, e.currency, 'HELD', e.livemode) AND lb.slot = 0), 0)
             - later.held,
           e.balance_transaction_id
      FROM jsonb_to_recordset(p->'events')
        AS e(id text, tenant_id text, livemode boolean, account_id text, currency text, balance_transaction_id text, posting int)
           -- What this call's later postings moved on them.
           CROSS JOIN LATERAL (
             SELECT coalesce(sum(m.amount) FILTER (WHERE m.kind = 'AVAILABLE'), 0) AS available,
                    coalesce(sum(m.amount) FILTER (WHERE m.kind = 'PENDING'), 0) AS pending,
                    coalesce(sum(m.amount) FILTER (WHERE m.kind = 'HELD'), 0) AS held
               FROM moved m
              WHERE m.account_id = e.account_id AND m.currency = e.currency AND m.livemode = e.livemode AND m.posting > e.posting
           ) later
     ORDER BY e.posting, e.account_id, e.currency;
  END IF;

  IF coalesce((p->>'notify')::boolean, false) THEN
    PERFORM pg_notify('balance_events', a.account_id)
       FROM (SELECT DISTINCT e.account_id FROM jsonb_to_recordset(p->'events') AS e(account_id text)) a;
  END IF;
END
$$;
