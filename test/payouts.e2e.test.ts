// Payouts end to end through the gateway: fund an account, pay out, watch the bank rail take it
// to PAID; a failing test account ends FAILED with the balance restored; cancel while pending;
// cancel once in transit is refused; refusals carry their typed codes. The payout's fields come
// from three subgraphs (account and destination from accounts, balance transactions from
// balances).
//
// This file runs its own platform (gateway and subgraphs, on the shared test database) with
// PAYOUT_STEP_MS=1500: every payout it creates waits 1.5 s per rail step whichever worker
// advances it, so "pending" and "in transit" last long enough to act on. It runs only the
// payouts worker (crypto withdrawals take their step time from the worker's configuration).

import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlatform, type RunningPlatform } from "../cmd/platform.ts";
import { verifyLedger } from "../subgraphs/ledger/store/integrity.ts";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { createLogger } from "../subgraphs/shared/logger.ts";
import {
  AccountPayoutsDocument,
  AddExternalAccountDocument,
  BalancesDocument,
  CancelPayoutDocument,
  CreateConnectedAccountDocument,
  CreatePayoutDocument,
  CreatePlatformDocument,
  CreateTopupDocument,
  PayoutByIdDocument,
  SubmitVerificationDocument,
  type CreatePayoutInput,
  type PayoutFieldsFragment,
} from "./generated/graphql.ts";
import type { GraphQLErrorJson } from "./support/client.ts";
import { testDatabase } from "./support/database.ts";
import { ADMIN_API_KEY, testConfig } from "./support/platform.ts";
import { DE_BANK, PERSON, TEST_ACCOUNT_NUMBERS, US_BANK } from "./support/accounts.ts";
import { walkBothWays } from "./support/paging.ts";

const STEP_MS = 1_500;
let platform: RunningPlatform;

async function call<T, V>(
  document: TypedDocumentNode<T, V>,
  variables: V,
  key: string,
): Promise<{ data: T | null | undefined; errors: GraphQLErrorJson[] | undefined }> {
  const response = await fetch(platform.gateway!.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return (await response.json()) as { data: T | null | undefined; errors: GraphQLErrorJson[] | undefined };
}

async function ok<T, V>(document: TypedDocumentNode<T, V>, variables: V, key: string): Promise<T> {
  const result = await call(document, variables, key);
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

async function code<T, V>(document: TypedDocumentNode<T, V>, variables: V, key: string): Promise<string | undefined> {
  const result = await call(document, variables, key);
  expect(result.errors).toHaveLength(1);
  return result.errors![0]!.extensions?.code;
}

interface Tenant {
  readonly id: string;
  readonly key: string;
}

async function newTenant(name: string): Promise<Tenant> {
  const input = { displayName: name, country: "US", defaultCurrency: "USD" };
  const data = await ok(CreatePlatformDocument, { input, idempotencyKey: randomUUID() }, ADMIN_API_KEY);
  return { id: data.createPlatform.account.id, key: data.createPlatform.secretKey };
}

/** A verified connected account with `funds` available and a bank account. */
async function fundedSeller(tenant: Tenant, funds: string, accountNumber: string = TEST_ACCOUNT_NUMBERS.paid) {
  const created = await ok(
    CreateConnectedAccountDocument,
    { input: { displayName: "Seller", country: "US", defaultCurrency: "USD" }, idempotencyKey: randomUUID() },
    tenant.key,
  );
  const accountId = created.createConnectedAccount.id;
  await ok(SubmitVerificationDocument, { accountId, input: PERSON }, tenant.key);
  const bank = await ok(
    AddExternalAccountDocument,
    { accountId, input: { ...US_BANK, accountNumber }, idempotencyKey: randomUUID() },
    tenant.key,
  );
  await ok(CreateTopupDocument, { input: { accountId, amount: funds, currency: "USD" }, key: randomUUID() }, tenant.key);
  return { accountId, bankId: bank.addExternalAccount.id };
}

async function available(tenant: Tenant, accountId: string): Promise<string> {
  const data = await ok(BalancesDocument, { id: accountId }, tenant.key);
  return data.account!.balances.find((b) => b.currency === "USD")?.available.amount ?? "0";
}

async function pay(tenant: Tenant, input: CreatePayoutInput): Promise<PayoutFieldsFragment> {
  return (await ok(CreatePayoutDocument, { input, key: randomUUID() }, tenant.key)).createPayout;
}

async function waitForStatus(tenant: Tenant, id: string, status: string, timeoutMs = 30_000): Promise<PayoutFieldsFragment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const payout = (await ok(PayoutByIdDocument, { id }, tenant.key)).payout!;
    if (payout.status === status) return payout;
    if (Date.now() > deadline) throw new Error(`payout ${id} is ${payout.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function balanceEvents(accountId: string): Promise<number> {
  return (await testDatabase()).prisma.balanceEvent.count({ where: { accountId } });
}

let acme: Tenant;
let other: Tenant;

beforeAll(async () => {
  const config = testConfig({ PAYOUT_STEP_MS: String(STEP_MS) });
  platform = await startPlatform({
    config,
    logger: createLogger(config.LOG_LEVEL, "test"),
    subgraphs: SUBGRAPH_NAMES,
    gateway: true,
    ephemeralSubgraphPorts: true,
    db: await testDatabase(),
    // Only the payouts worker: the others would run other suites' work on this file's schedule.
    workers: ["payouts"],
  });
  [acme, other] = await Promise.all([newTenant("Payouts Co"), newTenant("Other Co")]);
});

afterAll(async () => {
  await platform?.stop();
});

describe("payouts through the gateway", () => {
  it("fund, pay out, and watch it go PENDING -> IN_TRANSIT -> PAID", async () => {
    const { accountId, bankId } = await fundedSeller(acme, "50000");
    const eventsBefore = await balanceEvents(accountId);
    const payout = await pay(acme, {
      accountId,
      amount: "12345",
      currency: "USD",
      method: "INSTANT",
      destinationId: bankId,
      statementDescriptor: "ACME WEEKLY",
      metadata: { batch: "w47" },
    });
    expect(payout).toMatchObject({
      status: "PENDING",
      method: "INSTANT",
      amount: { amount: "12345", currency: "USD", decimal: "123.45" },
      fee: { amount: "124" },
      failureCode: null,
      statementDescriptor: "ACME WEEKLY",
      metadata: { batch: "w47" },
      account: { id: accountId, displayName: "Seller" },
      destination: { id: bankId, last4: "6789", currency: "USD" },
      balanceTransaction: { type: "PAYOUT", amount: { amount: "-12345" }, fee: { amount: "124" }, net: { amount: "-12469" } },
      reversalBalanceTransaction: null,
    });
    expect(Date.parse(payout.arrivalDate) - Date.parse(payout.createdAt)).toBe(30 * 60 * 1000);
    expect(await available(acme, accountId)).toBe(String(50_000 - 12_469));
    expect(await balanceEvents(accountId)).toBe(eventsBefore + 1);

    await waitForStatus(acme, payout.id, "IN_TRANSIT");
    const paid = await waitForStatus(acme, payout.id, "PAID");
    expect(paid).toMatchObject({ failureCode: null, reversalBalanceTransaction: null, destination: { id: bankId } });
    expect(await available(acme, accountId)).toBe(String(50_000 - 12_469));

    const list = await ok(AccountPayoutsDocument, { id: accountId, first: 10, status: "PAID" }, acme.key);
    expect(list.account!.payouts.edges.map((e) => e.node.id)).toEqual([payout.id]);
    const pending = await ok(AccountPayoutsDocument, { id: accountId, first: 10, status: "PENDING" }, acme.key);
    expect(pending.account!.payouts.edges).toEqual([]);
    expect((await verifyLedger((await testDatabase()).sql, { tenantId: acme.id })).problems).toEqual([]);
  });

  it("a failing test account ends FAILED with its code, and the balance is restored", async () => {
    const { accountId, bankId } = await fundedSeller(acme, "10000", TEST_ACCOUNT_NUMBERS.accountClosed);
    const eventsBefore = await balanceEvents(accountId);
    const payout = await pay(acme, { accountId, amount: "4000", currency: "USD", method: "STANDARD", destinationId: bankId });
    expect(await available(acme, accountId)).toBe("6000");
    const failed = await waitForStatus(acme, payout.id, "FAILED");
    expect(failed).toMatchObject({
      failureCode: "account_closed",
      failureMessage: expect.stringMatching(/closed/),
      reversalBalanceTransaction: { type: "PAYOUT_FAILURE", amount: { amount: "4000" }, net: { amount: "4000" } },
    });
    expect(await available(acme, accountId)).toBe("10000");
    expect(await balanceEvents(accountId)).toBe(eventsBefore + 2); // the debit and the failure's credit
  });

  it("cancels a pending payout and credits it back; refuses to cancel one in transit", async () => {
    const { accountId, bankId } = await fundedSeller(acme, "10000");
    const first = await pay(acme, { accountId, amount: "3000", currency: "USD", method: "STANDARD", destinationId: bankId });
    const key = randomUUID();
    const canceled = (await ok(CancelPayoutDocument, { id: first.id, key }, acme.key)).cancelPayout;
    expect(canceled).toMatchObject({
      status: "CANCELED",
      reversalBalanceTransaction: { type: "PAYOUT_CANCEL", amount: { amount: "3000" } },
    });
    expect((await ok(CancelPayoutDocument, { id: first.id, key }, acme.key)).cancelPayout.id).toBe(first.id); // replay
    expect(await available(acme, accountId)).toBe("10000");

    const second = await pay(acme, { accountId, amount: "2000", currency: "USD", method: "STANDARD" }); // default bank account
    expect(second.destination.id).toBe(bankId);
    await waitForStatus(acme, second.id, "IN_TRANSIT");
    expect(await code(CancelPayoutDocument, { id: second.id, key: randomUUID() }, acme.key)).toBe("INVALID_STATE");
    await waitForStatus(acme, second.id, "PAID");
    expect(await available(acme, accountId)).toBe("8000");
    expect((await verifyLedger((await testDatabase()).sql, { tenantId: acme.id })).problems).toEqual([]);
  });

  it("lists an account's payouts newest first, page by page, filtered by status", async () => {
    const { accountId, bankId } = await fundedSeller(acme, "1000");
    const ids: string[] = [];
    for (const amount of ["1", "2", "3"]) {
      ids.push((await pay(acme, { accountId, amount, currency: "USD", method: "STANDARD", destinationId: bankId })).id);
      // Canceled while surely still PENDING: at once, not after the next payout is created.
      if (amount === "2") await ok(CancelPayoutDocument, { id: ids[1]!, key: randomUUID() }, acme.key);
    }
    const page1 = (await ok(AccountPayoutsDocument, { id: accountId, first: 2 }, acme.key)).account!.payouts;
    expect(page1.edges.map((e) => e.node.amount.amount)).toEqual(["3", "2"]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await ok(AccountPayoutsDocument, { id: accountId, first: 2, after: page1.pageInfo.endCursor }, acme.key)).account!
      .payouts;
    expect(page2.edges.map((e) => e.node.amount.amount)).toEqual(["1"]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const canceled = (await ok(AccountPayoutsDocument, { id: accountId, first: 10, status: "CANCELED" }, acme.key)).account!.payouts;
    expect(canceled.edges.map((e) => e.node.id)).toEqual([ids[1]]);
    // Down and back up a page at a time: the same payouts in the same order.
    const walked = await walkBothWays(
      async (args) => (await ok(AccountPayoutsDocument, { id: accountId, ...args }, acme.key)).account!.payouts,
      1,
    );
    expect(walked).toEqual([...ids].reverse());
    // By when they were created: after the first one, the later two.
    const firstAt = (await ok(AccountPayoutsDocument, { id: accountId, last: 1 }, acme.key)).account!.payouts.edges[0]!.node
      .createdAt as string;
    const later = (await ok(AccountPayoutsDocument, { id: accountId, first: 10, created: { gt: firstAt } }, acme.key)).account!.payouts;
    expect(later.edges.map((e) => e.node.id)).toEqual([ids[2], ids[1]]);
    expect((await call(AccountPayoutsDocument, { id: accountId, first: 10 }, other.key)).data?.account ?? null).toBeNull();
  });

  it("refuses with typed codes: funds, verification, currency, other tenants, bad input", async () => {
    const { accountId, bankId } = await fundedSeller(acme, "1000");
    const base: CreatePayoutInput = { accountId, amount: "500", currency: "USD", method: "STANDARD", destinationId: bankId };
    const unverified = (
      await ok(
        CreateConnectedAccountDocument,
        { input: { displayName: "New", country: "US", defaultCurrency: "USD" }, idempotencyKey: randomUUID() },
        acme.key,
      )
    ).createConnectedAccount.id;
    const eur = (await ok(AddExternalAccountDocument, { accountId, input: DE_BANK, idempotencyKey: randomUUID() }, acme.key))
      .addExternalAccount.id;
    const mine = await pay(acme, base);
    const cases: [Partial<CreatePayoutInput>, string][] = [
      [{ amount: "501" }, "INSUFFICIENT_FUNDS"],
      [{ accountId: unverified, destinationId: null }, "PAYOUTS_NOT_ENABLED"],
      [{ destinationId: eur }, "CURRENCY_MISMATCH"],
      [{ statementDescriptor: "this descriptor is too long" }, "BAD_USER_INPUT"],
      [{ amount: "1.5" }, "BAD_USER_INPUT"],
      [{ amount: "2000000", method: "INSTANT" }, "BAD_USER_INPUT"],
    ];
    for (const [change, expected] of cases)
      expect(await code(CreatePayoutDocument, { input: { ...base, ...change }, key: randomUUID() }, acme.key), JSON.stringify(change)).toBe(
        expected,
      );
    expect(await available(acme, accountId)).toBe("500");

    // Another tenant sees nothing of it.
    expect(await code(CreatePayoutDocument, { input: base, key: randomUUID() }, other.key)).toBe("NOT_FOUND");
    expect(await code(CancelPayoutDocument, { id: mine.id, key: randomUUID() }, other.key)).toBe("NOT_FOUND");
    expect(await code(PayoutByIdDocument, { id: mine.id }, other.key)).toBe("NOT_FOUND");
  });
});
