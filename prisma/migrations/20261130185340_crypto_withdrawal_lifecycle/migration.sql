-- AlterTable: each withdrawal keeps the step time it was created with (as payouts do). Rows
-- created before this migration get PAYOUT_STEP_MS's default, then the column has no default.
ALTER TABLE "crypto_withdrawal" ADD COLUMN     "step_ms" INTEGER NOT NULL DEFAULT 3000;
ALTER TABLE "crypto_withdrawal" ALTER COLUMN "step_ms" DROP DEFAULT;


-- The withdrawal state machine, enforced by the database as well as by the domain code
-- (subgraphs/crypto/domain/withdrawal.ts), like payout_guard for payouts: an illegal
-- transition, a change to what was debited, or a change of destination once broadcast cannot be
-- written whatever the caller does. (Before broadcast an operator may still repair a
-- destination the chain cannot take.)
CREATE OR REPLACE FUNCTION crypto_withdrawal_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.amount <> OLD.amount OR NEW.network_fee <> OLD.network_fee OR NEW.asset <> OLD.asset
     OR NEW.account_id <> OLD.account_id OR NEW.wallet_id <> OLD.wallet_id
     OR NEW.tenant_id <> OLD.tenant_id OR NEW.livemode <> OLD.livemode
     OR NEW.ledger_transaction_id <> OLD.ledger_transaction_id OR NEW.balance_transaction_id <> OLD.balance_transaction_id
     OR (OLD.status <> 'PENDING' AND (NEW.network <> OLD.network OR NEW.address <> OLD.address)) THEN
    RAISE EXCEPTION 'crypto withdrawal % is immutable apart from its status', OLD.id USING ERRCODE = 'MG002';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'PENDING' AND NEW.status = 'BROADCAST')
    OR (OLD.status = 'BROADCAST' AND NEW.status IN ('CONFIRMED', 'FAILED'))
  ) THEN
    RAISE EXCEPTION 'illegal crypto withdrawal transition % -> % (%)', OLD.status, NEW.status, OLD.id USING ERRCODE = 'MG002';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER crypto_withdrawal_guard BEFORE UPDATE ON "crypto_withdrawal" FOR EACH ROW EXECUTE FUNCTION crypto_withdrawal_guard();
