-- AlterTable
ALTER TABLE "payout" ADD COLUMN     "ledger_transaction_id" VARCHAR(40) NOT NULL,
ADD COLUMN     "metadata" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "next_step_at" TIMESTAMPTZ(3),
ADD COLUMN     "rail_failure_code" VARCHAR(64),
ADD COLUMN     "reversal_balance_transaction_id" VARCHAR(40),
ADD COLUMN     "statement_descriptor" VARCHAR(22),
ADD COLUMN     "step_ms" INTEGER NOT NULL;

-- CreateIndex
CREATE INDEX "payout_status_next_step_at_idx" ON "payout"("status", "next_step_at");


-- The payout state machine, enforced by the database as well as by the domain code
-- (subgraphs/payouts/domain/lifecycle.ts): an illegal transition, or a change to what was paid
-- out, cannot be written whatever the caller does.
CREATE OR REPLACE FUNCTION payout_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.amount <> OLD.amount OR NEW.fee <> OLD.fee OR NEW.currency <> OLD.currency
     OR NEW.account_id <> OLD.account_id OR NEW.destination_id <> OLD.destination_id
     OR NEW.tenant_id <> OLD.tenant_id OR NEW.livemode <> OLD.livemode
     OR NEW.ledger_transaction_id <> OLD.ledger_transaction_id THEN
    RAISE EXCEPTION 'payout % is immutable apart from its status', OLD.id USING ERRCODE = 'MG002';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'PENDING' AND NEW.status IN ('IN_TRANSIT', 'CANCELED', 'FAILED'))
    OR (OLD.status = 'IN_TRANSIT' AND NEW.status IN ('PAID', 'FAILED'))
  ) THEN
    RAISE EXCEPTION 'illegal payout transition % -> % (%)', OLD.status, NEW.status, OLD.id USING ERRCODE = 'MG002';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER payout_guard BEFORE UPDATE ON "payout" FOR EACH ROW EXECUTE FUNCTION payout_guard();
