// The bank's customers, created through the gateway before any fault: platforms (one API key
// each), verified connected accounts in USD, and for each a bank account whose payouts are paid
// (its default) and one whose payouts fail (the README's test account numbers).

import { randomUUID } from "node:crypto";
import { untilDefinite, type ClientOptions } from "./client.ts";

const FAILING_ACCOUNT_NUMBERS = ["000111111116", "000111111113", "000222222227"];

export interface Connected {
  readonly id: string;
  readonly paidBankAccount: string;
  readonly failingBankAccount: string;
}

export interface Tenant {
  readonly platformId: string;
  readonly secretKey: string;
  readonly connected: Connected[];
}

async function must(
  options: ClientOptions,
  field: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await untilDefinite(options, field, query, variables);
  if (!answer.definite?.ok) throw new Error(`set-up ${field} failed: ${JSON.stringify(answer)}`);
  return answer.definite.value;
}

export async function createTenants(
  gatewayUrl: () => string,
  adminKey: string,
  platforms: number,
  connectedPerPlatform: number,
): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  for (let p = 0; p < platforms; p++) {
    const admin = { url: gatewayUrl, key: adminKey, giveUpMs: 120_000 };
    const created = await must(
      admin,
      "createPlatform",
      `mutation($key: String!) { createPlatform(input: { displayName: "Bank ${p}", country: "US", defaultCurrency: "USD" }, idempotencyKey: $key) { secretKey account { id } } }`,
      { key: randomUUID() },
    );
    const secretKey = created["secretKey"] as string;
    const options = { url: gatewayUrl, key: secretKey, giveUpMs: 120_000 };
    const connected: Connected[] = [];
    for (let c = 0; c < connectedPerPlatform; c++) {
      const account = await must(
        options,
        "createConnectedAccount",
        `mutation($key: String!) { createConnectedAccount(input: { displayName: "Seller ${p}.${c}", country: "US", defaultCurrency: "USD" }, idempotencyKey: $key) { id } }`,
        { key: randomUUID() },
      );
      const id = account["id"] as string;
      await must(
        options,
        "submitVerification",
        `mutation($id: ID!) { submitVerification(accountId: $id, input: { legalName: "Seller ${p}.${c}", dateOfBirth: "1980-01-01", idNumber: "000000000",
           address: { line1: "1 Main St", city: "Springfield", postalCode: "12345", country: "US" } }) { id } }`,
        { id },
      );
      const bankAccount = async (accountNumber: string) =>
        (
          await must(
            options,
            "addExternalAccount",
            `mutation($id: ID!, $number: String!, $key: String!) { addExternalAccount(accountId: $id, idempotencyKey: $key,
             input: { country: "US", currency: "USD", accountHolderName: "Seller", routingNumber: "110000000", accountNumber: $number }) { id } }`,
            { id, number: accountNumber, key: randomUUID() },
          )
        )["id"] as string;
      const paidBankAccount = await bankAccount("000123456789");
      const failingBankAccount = await bankAccount(FAILING_ACCOUNT_NUMBERS[c % FAILING_ACCOUNT_NUMBERS.length]!);
      connected.push({ id, paidBankAccount, failingBankAccount });
    }
    tenants.push({ platformId: (created["account"] as { id: string }).id, secretKey, connected });
  }
  return tenants;
}
