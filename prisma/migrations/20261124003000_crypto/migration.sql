-- CreateEnum
CREATE TYPE "CryptoWithdrawalStatus" AS ENUM ('PENDING', 'BROADCAST', 'CONFIRMED', 'FAILED');

-- CreateTable
CREATE TABLE "crypto_quote" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "source_currency" VARCHAR(8) NOT NULL,
    "destination_currency" VARCHAR(8) NOT NULL,
    "source_amount" DECIMAL(38,0) NOT NULL,
    "fee" DECIMAL(38,0) NOT NULL,
    "destination_amount" DECIMAL(38,0) NOT NULL,
    "rate_numerator" DECIMAL(65,0) NOT NULL,
    "rate_denominator" DECIMAL(65,0) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "conversion_id" VARCHAR(40),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crypto_quote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crypto_conversion" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "quote_id" VARCHAR(40) NOT NULL,
    "source_currency" VARCHAR(8) NOT NULL,
    "destination_currency" VARCHAR(8) NOT NULL,
    "source_amount" DECIMAL(38,0) NOT NULL,
    "fee" DECIMAL(38,0) NOT NULL,
    "destination_amount" DECIMAL(38,0) NOT NULL,
    "rate_numerator" DECIMAL(65,0) NOT NULL,
    "rate_denominator" DECIMAL(65,0) NOT NULL,
    "source_balance_transaction_id" VARCHAR(40) NOT NULL,
    "destination_balance_transaction_id" VARCHAR(40) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crypto_conversion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crypto_withdrawal" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "wallet_id" VARCHAR(40) NOT NULL,
    "asset" VARCHAR(8) NOT NULL,
    "network" VARCHAR(32) NOT NULL,
    "address" VARCHAR(128) NOT NULL,
    "amount" DECIMAL(38,0) NOT NULL,
    "network_fee" DECIMAL(38,0) NOT NULL,
    "status" "CryptoWithdrawalStatus" NOT NULL DEFAULT 'PENDING',
    "transaction_hash" VARCHAR(128),
    "failure_code" VARCHAR(64),
    "failure_message" VARCHAR(500),
    "balance_transaction_id" VARCHAR(40) NOT NULL,
    "ledger_transaction_id" VARCHAR(40) NOT NULL,
    "failure_balance_transaction_id" VARCHAR(40),
    "next_step_at" TIMESTAMPTZ(3),
    "broadcast_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crypto_withdrawal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crypto_deposit" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "wallet_id" VARCHAR(40) NOT NULL,
    "asset" VARCHAR(8) NOT NULL,
    "network" VARCHAR(32) NOT NULL,
    "amount" DECIMAL(38,0) NOT NULL,
    "transaction_hash" VARCHAR(128) NOT NULL,
    "balance_transaction_id" VARCHAR(40) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crypto_deposit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "crypto_quote_conversion_id_key" ON "crypto_quote"("conversion_id");

-- CreateIndex
CREATE INDEX "crypto_quote_account_id_created_at_id_idx" ON "crypto_quote"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "crypto_conversion_quote_id_key" ON "crypto_conversion"("quote_id");

-- CreateIndex
CREATE INDEX "crypto_conversion_account_id_created_at_id_idx" ON "crypto_conversion"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "crypto_withdrawal_status_next_step_at_idx" ON "crypto_withdrawal"("status", "next_step_at");

-- CreateIndex
CREATE INDEX "crypto_withdrawal_wallet_id_created_at_id_idx" ON "crypto_withdrawal"("wallet_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "crypto_deposit_wallet_id_created_at_id_idx" ON "crypto_deposit"("wallet_id", "created_at" DESC, "id" DESC);

