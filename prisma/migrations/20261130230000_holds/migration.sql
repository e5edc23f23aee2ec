-- Holds (two-phase movements, subgraphs/balances/domain/holds.ts): part of an account's available
-- balance moved to its HELD balance, then captured to a destination, released or expired, each
-- step a ledger transaction with its balance transactions (HOLD, HOLD_CAPTURE, HOLD_RELEASE).

-- Appended (plain ADD VALUE), as the Prisma enum lists them: after ADJUSTMENT.
ALTER TYPE "BalanceTransactionType" ADD VALUE IF NOT EXISTS 'HOLD';
ALTER TYPE "BalanceTransactionType" ADD VALUE IF NOT EXISTS 'HOLD_CAPTURE';
ALTER TYPE "BalanceTransactionType" ADD VALUE IF NOT EXISTS 'HOLD_RELEASE';

-- CreateEnum
CREATE TYPE "HoldStatus" AS ENUM ('ACTIVE', 'CAPTURED', 'RELEASED', 'EXPIRED');

-- CreateTable
CREATE TABLE "hold" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "amount" DECIMAL(38,0) NOT NULL,
    "captured_amount" DECIMAL(38,0),
    "destination_account_id" VARCHAR(40),
    "status" "HoldStatus" NOT NULL DEFAULT 'ACTIVE',
    "description" VARCHAR(500),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "expiry_retry_at" TIMESTAMPTZ(3),
    "balance_transaction_id" VARCHAR(40) NOT NULL,
    "release_balance_transaction_id" VARCHAR(40),
    "capture_balance_transaction_id" VARCHAR(40),
    "destination_balance_transaction_id" VARCHAR(40),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "captured_at" TIMESTAMPTZ(3),
    "released_at" TIMESTAMPTZ(3),

    CONSTRAINT "hold_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "hold_account_id_created_at_id_idx" ON "hold"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "hold_status_expires_at_idx" ON "hold"("status", "expires_at");
