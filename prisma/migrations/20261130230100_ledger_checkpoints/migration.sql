-- Checkpoints of the ledger's hash chains (docs/ledger.md, "A history no one can rewrite
-- unnoticed"): each records the chain heads that changed since the previous one, and a digest
-- chaining it to the previous checkpoint's digest (subgraphs/ledger/domain/checkpoint.ts).
-- Heads keep no foreign key to ledger_entry on purpose: a recorded entry deleted behind the
-- ledger's back is for the verifier to find.

-- CreateTable
CREATE TABLE "ledger_checkpoint" (
    "id" VARCHAR(40) NOT NULL,
    "seq" BIGINT NOT NULL,
    "digest" BYTEA NOT NULL,
    "head_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_checkpoint_head" (
    "checkpoint_seq" BIGINT NOT NULL,
    "ledger_account_id" VARCHAR(40) NOT NULL,
    "slot" INTEGER NOT NULL,
    "entry_id" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "ledger_checkpoint_head_pkey" PRIMARY KEY ("checkpoint_seq","ledger_account_id","slot")
);

-- CreateIndex
CREATE UNIQUE INDEX "ledger_checkpoint_seq_key" ON "ledger_checkpoint"("seq");

-- CreateIndex
CREATE INDEX "ledger_checkpoint_head_chain_idx" ON "ledger_checkpoint_head"("ledger_account_id", "slot", "checkpoint_seq");

-- AddForeignKey
ALTER TABLE "ledger_checkpoint_head" ADD CONSTRAINT "ledger_checkpoint_head_checkpoint_seq_fkey" FOREIGN KEY ("checkpoint_seq") REFERENCES "ledger_checkpoint"("seq") ON DELETE RESTRICT ON UPDATE CASCADE;

