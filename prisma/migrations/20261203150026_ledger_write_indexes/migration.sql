-- Indexes nothing reads, dropped: each posting wrote an entry into all three (a ledger
-- transaction by its reference and by tenant and time, a balance transaction by its source),
-- and no statement of the platform looks a row up by them (an object keeps the ids of its
-- balance transaction, which names its ledger transaction). Without them a posting costs
-- Postgres about a fifth less CPU (docs/ledger.md, "Indexes the posting pays for").
-- DROP INDEX holds the table's lock only for the catalog change, inside the migration's
-- transaction.

-- DropIndex
DROP INDEX "ledger_transaction_tenant_id_created_at_idx";

-- DropIndex
DROP INDEX "ledger_transaction_reference_idx";

-- DropIndex
DROP INDEX "balance_transaction_source_id_idx";

