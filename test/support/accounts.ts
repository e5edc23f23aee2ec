// Fixtures for the Accounts & Connect tests: documented test values, quick set-up through the
// API, and row counts to prove that a refused request wrote nothing.

import { randomBytes } from "node:crypto";
import { AddExternalAccountDocument, CreateConnectedAccountDocument, SubmitVerificationDocument } from "../generated/graphql.ts";
import type { AddExternalAccountInput, CreateConnectedAccountInput } from "../generated/graphql.ts";
import type { AccountId, Id } from "../../subgraphs/shared/ids.ts";
import { ok, type TestTenant } from "./client.ts";
import { idOf } from "./fixtures.ts";
import { testPlatform } from "./platform.ts";

export const TEST_ROUTING_NUMBER = "110000000";
export const TEST_ACCOUNT_NUMBERS = {
  paid: "000123456789",
  noAccount: "000111111116",
  accountClosed: "000111111113",
  insufficientFunds: "000222222227",
} as const;
export const TEST_IBAN = "DE89370400440532013000";

export const US_BANK: AddExternalAccountInput = {
  country: "US",
  currency: "USD",
  accountHolderName: "Jane Doe",
  routingNumber: TEST_ROUTING_NUMBER,
  accountNumber: TEST_ACCOUNT_NUMBERS.paid,
};

export const DE_BANK: AddExternalAccountInput = { country: "DE", currency: "EUR", accountHolderName: "Jana Schmidt", iban: TEST_IBAN };

export const PERSON = {
  legalName: "Jane Doe",
  dateOfBirth: "1990-01-31",
  idNumber: "000000000",
  address: { line1: "510 Townsend St", city: "San Francisco", postalCode: "94103", country: "US" },
};

export const idempotencyKey = () => `test-${randomBytes(8).toString("hex")}`;

export async function newConnectedAccount(
  tenant: TestTenant,
  input: Partial<CreateConnectedAccountInput> = {},
  key = tenant.key,
): Promise<AccountId> {
  const data = await ok(
    CreateConnectedAccountDocument,
    { input: { displayName: "Connected", country: "US", defaultCurrency: "USD", ...input }, idempotencyKey: idempotencyKey() },
    key,
  );
  return idOf("account", data.createConnectedAccount.id);
}

export async function verifiedConnectedAccount(tenant: TestTenant): Promise<AccountId> {
  const id = await newConnectedAccount(tenant);
  await ok(SubmitVerificationDocument, { accountId: id, input: PERSON }, tenant.key);
  return id;
}

export async function newBankAccount(
  tenant: TestTenant,
  accountId: string,
  input: Partial<AddExternalAccountInput> = {},
  key = tenant.key,
): Promise<Id<"bankAccount">> {
  const data = await ok(AddExternalAccountDocument, { accountId, input: { ...US_BANK, ...input }, idempotencyKey: idempotencyKey() }, key);
  return idOf("bankAccount", data.addExternalAccount.id);
}

export interface RowCounts {
  readonly accounts: number;
  readonly externalAccounts: number;
  readonly apiKeys: number;
  readonly idempotencyKeys: number;
  /** Rows updated since the tenant was created: an update writes updated_at. */
  readonly lastUpdate: string;
}

/** Everything a tenant has written, to compare before and after a refused request. */
export async function rowCounts(tenant: TestTenant): Promise<RowCounts> {
  const db = (await testPlatform()).deps!.db;
  const tenantId = tenant.accountId;
  const [accounts, externalAccounts, apiKeys, idempotencyKeys, lastAccount, lastBank] = await Promise.all([
    db.prisma.account.count({ where: { tenantId } }),
    db.prisma.externalAccount.count({ where: { tenantId } }),
    db.prisma.apiKey.count({ where: { accountId: tenantId } }),
    db.prisma.idempotencyKey.count({ where: { scope: { startsWith: `${tenantId}:` } } }),
    db.prisma.account.aggregate({ where: { tenantId }, _max: { updatedAt: true } }),
    db.prisma.externalAccount.aggregate({ where: { tenantId }, _max: { updatedAt: true } }),
  ]);
  const lastUpdate = [lastAccount._max.updatedAt, lastBank._max.updatedAt].map((date) => date?.toISOString() ?? "-").join(" ");
  return { accounts, externalAccounts, apiKeys, idempotencyKeys, lastUpdate };
}
