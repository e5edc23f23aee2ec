-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "AccountType" AS ENUM ('PLATFORM', 'CONNECTED');

-- CreateEnum
CREATE TYPE "AccountStatus" AS ENUM ('PENDING_VERIFICATION', 'ACTIVE', 'RESTRICTED', 'CLOSED');

-- CreateEnum
CREATE TYPE "LedgerAccountKind" AS ENUM ('AVAILABLE', 'PENDING', 'TOPUP_CLEARING', 'PAYOUT_CLEARING', 'FEES', 'CRYPTO_CLEARING', 'CRYPTO_NETWORK');

-- CreateEnum
CREATE TYPE "BalanceTransactionType" AS ENUM ('TOPUP', 'TRANSFER', 'PAYOUT', 'PAYOUT_FAILURE', 'PAYOUT_CANCEL', 'PAYOUT_FEE', 'CRYPTO_CONVERSION', 'CRYPTO_WITHDRAWAL', 'CRYPTO_WITHDRAWAL_FAILURE', 'CRYPTO_DEPOSIT', 'ADJUSTMENT');

-- CreateEnum
CREATE TYPE "BalanceTransactionStatus" AS ENUM ('PENDING', 'AVAILABLE');

-- CreateEnum
CREATE TYPE "PayoutMethod" AS ENUM ('STANDARD', 'INSTANT');

-- CreateEnum
CREATE TYPE "PayoutStatus" AS ENUM ('PENDING', 'IN_TRANSIT', 'PAID', 'FAILED', 'CANCELED');

-- CreateEnum
CREATE TYPE "IdempotencyStatus" AS ENUM ('IN_PROGRESS', 'COMPLETED');

-- CreateTable
CREATE TABLE "account" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL DEFAULT false,
    "type" "AccountType" NOT NULL,
    "display_name" VARCHAR(200) NOT NULL,
    "country" CHAR(2) NOT NULL,
    "default_currency" VARCHAR(8) NOT NULL,
    "email" VARCHAR(320),
    "status" "AccountStatus" NOT NULL,
    "payouts_enabled" BOOLEAN NOT NULL DEFAULT false,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "platform_id" VARCHAR(40),

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" VARCHAR(40) NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "secret_hash" CHAR(64) NOT NULL,
    "redacted" VARCHAR(40) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_account" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "kind" "LedgerAccountKind" NOT NULL,
    "allow_negative" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_balance" (
    "ledger_account_id" VARCHAR(40) NOT NULL,
    "slot" INTEGER NOT NULL DEFAULT 0,
    "balance" DECIMAL(38,0) NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_balance_pkey" PRIMARY KEY ("ledger_account_id","slot")
);

-- CreateTable
CREATE TABLE "ledger_transaction" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "reference" VARCHAR(40),
    "reverses_id" VARCHAR(40),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_transaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entry" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" VARCHAR(40) NOT NULL,
    "ledger_account_id" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "amount" DECIMAL(38,0) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "balance_transaction" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "type" "BalanceTransactionType" NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "amount" DECIMAL(38,0) NOT NULL,
    "fee" DECIMAL(38,0) NOT NULL DEFAULT 0,
    "net" DECIMAL(38,0) NOT NULL,
    "status" "BalanceTransactionStatus" NOT NULL,
    "available_on" TIMESTAMPTZ(3) NOT NULL,
    "description" VARCHAR(500),
    "source_id" VARCHAR(40),
    "ledger_transaction_id" VARCHAR(40) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "balance_transaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "balance_event" (
    "seq" BIGSERIAL NOT NULL,
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "available" DECIMAL(38,0) NOT NULL,
    "pending" DECIMAL(38,0) NOT NULL,
    "balance_transaction_id" VARCHAR(40),
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "balance_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "crypto_wallet" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "asset" VARCHAR(8) NOT NULL,
    "network" VARCHAR(32) NOT NULL,
    "address" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crypto_wallet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payout" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "destination_id" VARCHAR(40) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "amount" DECIMAL(38,0) NOT NULL,
    "fee" DECIMAL(38,0) NOT NULL DEFAULT 0,
    "method" "PayoutMethod" NOT NULL,
    "status" "PayoutStatus" NOT NULL,
    "arrival_date" TIMESTAMPTZ(3) NOT NULL,
    "failure_code" VARCHAR(64),
    "failure_message" VARCHAR(500),
    "balance_transaction_id" VARCHAR(40) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_key" (
    "scope" VARCHAR(64) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "operation" VARCHAR(64) NOT NULL,
    "fingerprint" CHAR(64) NOT NULL,
    "status" "IdempotencyStatus" NOT NULL DEFAULT 'IN_PROGRESS',
    "response" JSONB,
    "claim_token" CHAR(24) NOT NULL,
    "locked_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE INDEX "account_tenant_id_created_at_id_idx" ON "account"("tenant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "account_platform_id_created_at_id_idx" ON "account"("platform_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "api_key_secret_hash_key" ON "api_key"("secret_hash");

-- CreateIndex
CREATE INDEX "api_key_account_id_idx" ON "api_key"("account_id");

-- CreateIndex
CREATE INDEX "ledger_account_tenant_id_idx" ON "ledger_account"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_account_account_id_currency_kind_livemode_key" ON "ledger_account"("account_id", "currency", "kind", "livemode");

-- CreateIndex
CREATE INDEX "ledger_transaction_tenant_id_created_at_idx" ON "ledger_transaction"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "ledger_transaction_reference_idx" ON "ledger_transaction"("reference");

-- CreateIndex
CREATE INDEX "ledger_entry_ledger_account_id_id_idx" ON "ledger_entry"("ledger_account_id", "id");

-- CreateIndex
CREATE INDEX "ledger_entry_transaction_id_idx" ON "ledger_entry"("transaction_id");

-- CreateIndex
CREATE INDEX "balance_transaction_account_id_created_at_id_idx" ON "balance_transaction"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "balance_transaction_source_id_idx" ON "balance_transaction"("source_id");

-- CreateIndex
CREATE UNIQUE INDEX "balance_event_id_key" ON "balance_event"("id");

-- CreateIndex
CREATE INDEX "balance_event_account_id_seq_idx" ON "balance_event"("account_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "crypto_wallet_account_id_asset_network_livemode_key" ON "crypto_wallet"("account_id", "asset", "network", "livemode");

-- CreateIndex
CREATE UNIQUE INDEX "crypto_wallet_network_address_key" ON "crypto_wallet"("network", "address");

-- CreateIndex
CREATE INDEX "payout_account_id_created_at_id_idx" ON "payout"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "payout_tenant_id_idx" ON "payout"("tenant_id");

-- CreateIndex
CREATE INDEX "idempotency_key_expires_at_idx" ON "idempotency_key"("expires_at");

-- AddForeignKey
ALTER TABLE "account" ADD CONSTRAINT "account_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_balance" ADD CONSTRAINT "ledger_balance_ledger_account_id_fkey" FOREIGN KEY ("ledger_account_id") REFERENCES "ledger_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transaction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_ledger_account_id_fkey" FOREIGN KEY ("ledger_account_id") REFERENCES "ledger_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

