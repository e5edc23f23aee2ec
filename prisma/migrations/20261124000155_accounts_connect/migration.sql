-- AlterTable
ALTER TABLE "account" ADD COLUMN     "address_city" VARCHAR(100),
ADD COLUMN     "address_country" CHAR(2),
ADD COLUMN     "address_line1" VARCHAR(200),
ADD COLUMN     "address_postal_code" VARCHAR(16),
ADD COLUMN     "closed_at" TIMESTAMPTZ(3),
ADD COLUMN     "date_of_birth" DATE,
ADD COLUMN     "id_number_last4" VARCHAR(4),
ADD COLUMN     "legal_name" VARCHAR(200),
ADD COLUMN     "verification_submitted_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "api_key" ADD COLUMN     "name" VARCHAR(100);

-- CreateTable
CREATE TABLE "external_account" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" VARCHAR(40) NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "account_id" VARCHAR(40) NOT NULL,
    "country" CHAR(2) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "account_holder_name" VARCHAR(200) NOT NULL,
    "bank_name" VARCHAR(100),
    "routing_number" CHAR(9),
    "last4" CHAR(4) NOT NULL,
    "fingerprint" CHAR(64) NOT NULL,
    "number_ciphertext" VARCHAR(200) NOT NULL,
    "encryption_key_id" VARCHAR(32) NOT NULL,
    "default_for_currency" BOOLEAN NOT NULL DEFAULT false,
    "removed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "external_account_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "external_account_account_id_created_at_id_idx" ON "external_account"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "external_account_account_id_fingerprint_idx" ON "external_account"("account_id", "fingerprint");

-- CreateIndex
CREATE INDEX "external_account_tenant_id_idx" ON "external_account"("tenant_id");

-- AddForeignKey
ALTER TABLE "external_account" ADD CONSTRAINT "external_account_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

