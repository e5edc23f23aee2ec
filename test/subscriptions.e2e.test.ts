// balanceChanged end to end: graphql-ws's own client and Apollo Client, through the real gateway,
// the balances subgraph's stream and the accounts subgraph (account { displayName }).
// Events are written as the ledger writes them (test/support/balance-events.ts).

import { ApolloClient, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import { newId } from "../subgraphs/shared/ids.ts";
import { randomUUID } from "node:crypto";
import {
  AddExternalAccountDocument,
  BalanceChangedDocument,
  CreatePayoutDocument,
  BalanceChangedIdsDocument,
  BalanceChangedHeldDocument,
  BalanceChangedCurrentDocument,
  BalancesDocument,
  CaptureHoldDocument,
  CreateHoldDocument,
  ReleaseHoldDocument,
  CreateCryptoWalletDocument,
  CreateTopupDocument,
  CreateTransferDocument,
  SimulateCryptoDepositDocument,
  type BalanceChangedSubscription,
} from "./generated/graphql.ts";
import { commitBalanceChange, commitSeries, type EventTarget } from "./support/balance-events.ts";
import { TEST_ACCOUNT_NUMBERS, US_BANK } from "./support/accounts.ts";
import { newPlatform, ok, type TestTenant } from "./support/client.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { ADMIN_API_KEY, testPlatform } from "./support/platform.ts";
import { connect, eventHub, Recorder, positioned, upstreamSubscribed, until, wsUrl, type TestWsClient } from "./support/subscriptions.ts";

let platform: RunningPlatform;
let alice: TestTenant;
let bob: TestTenant;
const clients: TestWsClient[] = [];

function client(key: string): TestWsClient {
  const created = connect(platform.gateway!.url, key);
  clients.push(created);
  return created;
}

const target = (tenant: TestTenant): EventTarget => ({ tenantId: tenant.accountId, accountId: tenant.accountId });
const db = () => platform.deps!.db;

beforeAll(async () => {
  platform = await testPlatform();
  [alice, bob] = await Promise.all([newPlatform("Alice Platform"), newPlatform("Bob Platform")]);
});

afterAll(async () => {
  await Promise.all(clients.map((each) => each.dispose()));
});

describe("balanceChanged through the gateway (graphql-ws client)", () => {
  it("streams committed changes in commit order, each with account { displayName } from the accounts subgraph", async () => {
    const ready = positioned(platform);
    const stream = new Recorder(client(alice.key).client, BalanceChangedDocument, { accountId: alice.accountId });
    await ready();

    const first = await commitBalanceChange(db(), target(alice), [{ available: 1050n, pending: 200n }]);
    const both = await commitBalanceChange(db(), target(alice), [
      { currency: "USD", available: 2050n },
      { currency: "EUR", available: 99n, pending: 1n },
    ]);
    const last = await commitBalanceChange(db(), target(alice), [{ currency: "JPY", available: 500n }]);

    const events = (await stream.received(4)).map((data) => data.balanceChanged);
    expect(events.map((event) => event.id)).toEqual([...first, ...both, ...last]);
    expect(events[0]).toEqual({
      id: first[0],
      currency: "USD",
      available: { amount: "1050", currency: "USD", decimal: "10.50" },
      pending: { amount: "200" },
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      account: { id: alice.accountId, displayName: "Alice Platform" },
      balanceTransaction: null,
    });
    expect(events.map((event) => [event.currency, event.available.decimal])).toEqual([
      ["USD", "10.50"],
      ["USD", "20.50"],
      ["EUR", "0.99"],
      ["JPY", "500"],
    ]);
    expect(stream.results.every((result) => result.errors === undefined)).toBe(true);
  });

  it("resolves balanceTransaction in the balances subgraph, inside the tenant", async () => {
    const tenant = await newPlatform("With history");
    const transactionId = newId("balanceTransaction");
    await db().prisma.balanceTransaction.create({
      data: {
        id: transactionId,
        tenantId: tenant.accountId,
        livemode: false,
        accountId: tenant.accountId,
        type: "TOPUP",
        currency: "USD",
        amount: "500",
        net: "500",
        status: "AVAILABLE",
        availableOn: new Date(),
        ledgerTransactionId: newId("ledgerTransaction"),
      },
    });
    const ready = positioned(platform);
    const stream = new Recorder(client(tenant.key).client, BalanceChangedDocument, { accountId: tenant.accountId });
    await ready();
    await commitBalanceChange(db(), target(tenant), [{ available: 500n, balanceTransactionId: transactionId }]);
    const [event] = await stream.received(1);
    expect(event!.balanceChanged.balanceTransaction).toEqual({ id: transactionId, type: "TOPUP" });
  });

  it("fans one account's events out to every subscriber, each in order", async () => {
    const tenant = await newPlatform("Fan-out");
    const first = client(tenant.key);
    const ready = positioned(platform);
    const streams = [
      new Recorder(first.client, BalanceChangedIdsDocument, { accountId: tenant.accountId }),
      new Recorder(first.client, BalanceChangedIdsDocument, { accountId: tenant.accountId }),
      new Recorder(client(tenant.key).client, BalanceChangedIdsDocument, { accountId: tenant.accountId }),
    ];
    await ready(3);
    const ids = await commitSeries(db(), target(tenant), 5);
    for (const stream of streams) {
      expect((await stream.received(5)).map((data) => data.balanceChanged.id)).toEqual(ids);
    }
    // Identical subscriptions (same key, operation and variables) share one upstream stream.
    expect(eventHub(platform).subscriberCount(tenant.accountId)).toBe(1);
    expect(platform.gateway!.socketStats().upstreams).toBeLessThan(platform.gateway!.socketStats().subscriptions);
  });

  it("lets a subscriber resuming far behind a live one catch up, then follow live events with it", async () => {
    const tenant = await newPlatform("Catch-up");
    const ready = positioned(platform);
    const live = new Recorder(client(tenant.key).client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await ready();
    const early = await commitSeries(db(), target(tenant), 25);
    await live.received(25);
    const behind = new Recorder(client(tenant.key).client, BalanceChangedIdsDocument, { accountId: tenant.accountId, after: early[1] });
    expect((await behind.received(23)).map((data) => data.balanceChanged.id)).toEqual(early.slice(2));
    const later = await commitSeries(db(), target(tenant), 3, 100n);
    expect((await behind.received(26)).map((data) => data.balanceChanged.id)).toEqual([...early.slice(2), ...later]);
    expect((await live.received(28)).map((data) => data.balanceChanged.id)).toEqual([...early, ...later]);
  });

  it("without `after`, starts with the changes committed after subscribing", async () => {
    const tenant = await newPlatform("Fresh start");
    await commitSeries(db(), target(tenant), 2);
    const ready = positioned(platform);
    const stream = new Recorder(client(tenant.key).client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await ready();
    const [live] = await commitSeries(db(), target(tenant), 1, 3n);
    expect((await stream.received(1)).map((data) => data.balanceChanged.id)).toEqual([live]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.results).toHaveLength(1);
  });

  it("resumes with `after`: every missed event once, in order, then live ones", async () => {
    const tenant = await newPlatform("Resumer");
    const before = client(tenant.key);
    const ready = positioned(platform);
    const first = new Recorder(before.client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await ready();
    const seen = await commitSeries(db(), target(tenant), 2);
    expect((await first.received(2)).map((data) => data.balanceChanged.id)).toEqual(seen);
    await before.dispose();
    await until(() => eventHub(platform).subscriberCount(tenant.accountId) === 0, "the first subscription to end");

    const missed = await commitSeries(db(), target(tenant), 3, 3n);
    const resumed = new Recorder(client(tenant.key).client, BalanceChangedIdsDocument, { accountId: tenant.accountId, after: seen[1] });
    expect((await resumed.received(3)).map((data) => data.balanceChanged.id)).toEqual(missed);
    const live = await commitSeries(db(), target(tenant), 2, 6n);
    const ids = (await resumed.received(5)).map((data) => data.balanceChanged.id);
    expect(ids).toEqual([...missed, ...live]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("replays a long history in pages and joins the live stream without a gap or a duplicate", async () => {
    const tenant = await newPlatform("Long history");
    const history = await commitBalanceChange(
      db(),
      target(tenant),
      Array.from({ length: 450 }, (_, i) => ({ available: BigInt(i + 1) })),
    );
    const stream = new Recorder(client(tenant.key).client, BalanceChangedIdsDocument, { accountId: tenant.accountId, after: history[0] });
    // Live events committed while the replay is under way.
    const live: string[] = [];
    await until(() => stream.results.length > 0, "the replay to start");
    for (let i = 0; i < 5; i++) live.push(...(await commitSeries(db(), target(tenant), 1, 1000n + BigInt(i))));
    const ids = (await stream.received(449 + 5, 30_000)).map((data) => data.balanceChanged.id);
    expect(ids).toEqual([...history.slice(1), ...live]);
  });

  it("refuses an `after` that is not an event of this account", async () => {
    const [bobEvent] = await commitSeries(db(), target(bob), 1);
    const socket = client(alice.key).client;
    const cases = [
      [{ accountId: alice.accountId, after: newId("balanceEvent") }, "NOT_FOUND"],
      [{ accountId: alice.accountId, after: bobEvent }, "NOT_FOUND"],
      [{ accountId: alice.accountId, after: "txn_notanevent" }, "BAD_USER_INPUT"],
    ] as const;
    for (const [variables, code] of cases) {
      const stream = new Recorder(socket, BalanceChangedIdsDocument, variables);
      await stream.ended();
      expect(stream.results.flatMap((result) => result.errors?.map((error) => error.extensions?.["code"]) ?? [])).toEqual([code]);
      expect(stream.data).toEqual([]);
    }
  });

  it("ends the upstream subscription when the client unsubscribes", async () => {
    const tenant = await newPlatform("Leaver");
    const ready = positioned(platform);
    const stream = new Recorder(client(tenant.key).client, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await ready();
    await upstreamSubscribed(platform, tenant.accountId);
    const open = platform.gateway!.socketStats().subscriptions;
    stream.stop();
    await until(() => eventHub(platform).subscriberCount(tenant.accountId) === 0, "the subgraph's subscriber to leave");
    expect(platform.gateway!.socketStats().subscriptions).toBe(open - 1);
  });
});

describe("driven by the ledger: top-ups and transfers", () => {
  it("streams each committed change of both sides, in order, with its balance transaction and account names", async () => {
    const tenant = await newPlatform("Ledger Events Platform");
    const seller = await insertConnectedAccount({ tenantId: tenant.accountId });
    const socket = client(tenant.key).client;
    const ready = positioned(platform);
    const platformStream = new Recorder(socket, BalanceChangedDocument, { accountId: tenant.accountId });
    const sellerStream = new Recorder(socket, BalanceChangedDocument, { accountId: seller });
    await ready(2);

    const topup = await ok(
      CreateTopupDocument,
      { input: { accountId: tenant.accountId, amount: "10000", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );
    const first = await ok(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "2500", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );
    const second = await ok(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "500", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );

    // The top-up credits pending, then settles (SETTLEMENT_DELAY_MS=0 in tests); each transfer
    // debits the platform's available balance.
    const platformEvents = (await platformStream.received(4)).map((data) => data.balanceChanged);
    expect(platformEvents.map((event) => [event.available.amount, event.pending.amount])).toEqual([
      ["0", "10000"],
      ["10000", "0"],
      ["7500", "0"],
      ["7000", "0"],
    ]);
    expect(platformEvents[0]!.balanceTransaction?.id).toBe(topup.createTopup.balanceTransaction.id);
    expect(platformEvents.slice(2).map((event) => event.balanceTransaction)).toEqual([
      { id: first.createTransfer.balanceTransaction.id, type: "TRANSFER" },
      { id: second.createTransfer.balanceTransaction.id, type: "TRANSFER" },
    ]);
    expect(platformEvents.every((event) => event.account.displayName === "Ledger Events Platform")).toBe(true);

    const sellerEvents = (await sellerStream.received(2)).map((data) => data.balanceChanged);
    expect(sellerEvents.map((event) => event.available.amount)).toEqual(["2500", "3000"]);
    expect(sellerEvents.map((event) => event.balanceTransaction?.id)).toEqual([
      first.createTransfer.destinationBalanceTransaction.id,
      second.createTransfer.destinationBalanceTransaction.id,
    ]);
    expect(sellerEvents.every((event) => event.account.id === seller && event.account.displayName.startsWith("Connected "))).toBe(true);
  });

  it("with `current: true`, starts with each currency's balance now, so nothing committed before subscribing is missed", async () => {
    const tenant = await newPlatform("Current Balances Platform");
    const seller = await insertConnectedAccount({ tenantId: tenant.accountId });
    const topup = (amount: string, currency: string) =>
      ok(CreateTopupDocument, { input: { accountId: tenant.accountId, amount, currency }, key: randomUUID() }, tenant.key);
    await topup("10000", "USD");
    await topup("500", "EUR");
    // Read as a page would (tests settle top-ups at once: pending, then available).
    const { account } = await ok(BalancesDocument, { id: tenant.accountId }, tenant.key);
    expect(account!.balances.map((balance) => [balance.currency, balance.available.amount]).sort()).toEqual([
      ["EUR", "500"],
      ["USD", "10000"],
    ]);
    // A change committed after that read and before the subscription starts: the gap a separate read leaves.
    await ok(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "2500", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );

    const stream = new Recorder(client(tenant.key).client, BalanceChangedCurrentDocument, { accountId: tenant.accountId, current: true });
    const current = (await stream.received(2)).map((data) => data.balanceChanged);
    // Each currency's newest event, in commit order (EUR's settlement before the USD transfer).
    expect(current.map((event) => [event.currency, event.available.amount, event.pending.amount])).toEqual([
      ["EUR", "500", "0"],
      ["USD", "7500", "0"],
    ]);
    // No wait for the subscription's position: the balances above were read after it was taken.
    await ok(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: "500", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );
    const events = (await stream.received(3)).map((data) => data.balanceChanged);
    expect(events[2]).toMatchObject({ currency: "USD", available: { amount: "7000" } });
    expect(new Set(events.map((event) => event.id)).size).toBe(3);
  });

  it("with `current` and `after`, starts with the balances at that event, then every later change", async () => {
    const tenant = await newPlatform("Current After Platform");
    const seller = await insertConnectedAccount({ tenantId: tenant.accountId });
    const socket = client(tenant.key).client;
    const ready = positioned(platform);
    const first = new Recorder(socket, BalanceChangedCurrentDocument, { accountId: tenant.accountId });
    await ready();
    await ok(
      CreateTopupDocument,
      { input: { accountId: tenant.accountId, amount: "9000", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );
    for (const amount of ["1000", "2000"])
      await ok(CreateTransferDocument, { input: { destinationAccountId: seller, amount, currency: "USD" }, key: randomUUID() }, tenant.key);
    // Top-up (pending), its settlement, two transfers.
    const all = (await first.received(4)).map((data) => data.balanceChanged);
    expect(all.map((event) => event.available.amount)).toEqual(["0", "9000", "8000", "6000"]);

    const resumed = new Recorder(client(tenant.key).client, BalanceChangedCurrentDocument, {
      accountId: tenant.accountId,
      after: all[1]!.id,
      current: true,
    });
    const ids = (await resumed.received(3)).map((data) => data.balanceChanged.id);
    expect(ids).toEqual([all[1]!.id, all[2]!.id, all[3]!.id]);
  });

  it("gives a second `current` subscriber its own balances, not a running execution's next event", async () => {
    const tenant = await newPlatform("Current Twice Platform");
    await ok(
      CreateTopupDocument,
      { input: { accountId: tenant.accountId, amount: "300", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );
    const variables = { accountId: tenant.accountId, current: true };
    const earlier = new Recorder(client(tenant.key).client, BalanceChangedCurrentDocument, variables);
    const [snapshot] = (await earlier.received(1)).map((data) => data.balanceChanged);
    // The same operation, key and variables: identical subscriptions share an execution, but
    // this one asks for what came before it.
    const later = new Recorder(client(tenant.key).client, BalanceChangedCurrentDocument, variables);
    const [own] = (await later.received(1)).map((data) => data.balanceChanged);
    expect(own!.currency).toBe("USD");
    expect(BigInt(own!.available.amount) + BigInt(own!.pending.amount)).toBe(300n);
    expect(snapshot!.currency).toBe("USD");
  });

  it("shows held money move on createHold, back on releaseHold, and out on captureHold, each event linked to its step", async () => {
    const tenant = await newPlatform("Held Events Platform");
    const seller = await insertConnectedAccount({ tenantId: tenant.accountId });
    await ok(CreateTopupDocument, { input: { accountId: seller, amount: "1000", currency: "USD" }, key: randomUUID() }, tenant.key);
    const socket = client(tenant.key).client;
    const ready = positioned(platform);
    const stream = new Recorder(socket, BalanceChangedHeldDocument, { accountId: seller });
    await ready();

    const hold = (
      await ok(CreateHoldDocument, { input: { accountId: seller, amount: "300", currency: "USD" }, key: randomUUID() }, tenant.key)
    ).createHold;
    await ok(ReleaseHoldDocument, { id: hold.id, key: randomUUID() }, tenant.key);
    const second = (
      await ok(CreateHoldDocument, { input: { accountId: seller, amount: "400", currency: "USD" }, key: randomUUID() }, tenant.key)
    ).createHold;
    await ok(CaptureHoldDocument, { id: second.id, amount: "250", key: randomUUID() }, tenant.key);

    const events = (await stream.received(4)).map((data) => data.balanceChanged);
    expect(events.map((event) => [event.available.amount, event.held.amount, event.balanceTransaction?.type])).toEqual([
      ["700", "300", "HOLD"],
      ["1000", "0", "HOLD_RELEASE"],
      ["600", "400", "HOLD"],
      ["750", "0", "HOLD_CAPTURE"],
    ]);
    expect(stream.results.every((result) => result.errors === undefined)).toBe(true);
  });

  it("keeps each account's events in commit order under concurrent transfers (one event per transfer, balances consistent)", async () => {
    const tenant = await newPlatform("Concurrent Ledger Platform");
    const sellers = await Promise.all([1, 2, 3].map(() => insertConnectedAccount({ tenantId: tenant.accountId })));
    const socket = client(tenant.key).client;
    const ready = positioned(platform);
    const platformStream = new Recorder(socket, BalanceChangedIdsDocument, { accountId: tenant.accountId });
    await ready();
    await ok(
      CreateTopupDocument,
      { input: { accountId: tenant.accountId, amount: "100000", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );
    const transfers = 24;
    await Promise.all(
      Array.from({ length: transfers }, (_, i) =>
        ok(
          CreateTransferDocument,
          { input: { destinationAccountId: sellers[i % 3]!, amount: String(100 + i), currency: "USD" }, key: randomUUID() },
          tenant.key,
        ),
      ),
    );
    const events = (await platformStream.received(2 + transfers)).map((data) => BigInt(data.balanceChanged.available.amount));
    // Each transfer's event shows the balance right after it: strictly decreasing, ending at the total.
    const afterTransfers = events.slice(2);
    expect(afterTransfers.every((amount, i) => i === 0 || amount < afterTransfers[i - 1]!)).toBe(true);
    const moved = Array.from({ length: transfers }, (_, i) => BigInt(100 + i)).reduce((a, b) => a + b, 0n);
    expect(afterTransfers.at(-1)).toBe(100000n - moved);
    const consecutive = [100000n, ...afterTransfers];
    const steps = afterTransfers.map((amount, i) => consecutive[i]! - amount).sort((a, b) => Number(a - b));
    expect(steps).toEqual(Array.from({ length: transfers }, (_, i) => BigInt(100 + i)));
  });
});

describe("driven by payouts: a payout that the bank rail fails", () => {
  it("streams the debit when the payout is created and the credit when it fails, in order", async () => {
    const tenant = await newPlatform("Payout Events Platform");
    const bank = await ok(
      AddExternalAccountDocument,
      {
        accountId: tenant.accountId,
        input: { ...US_BANK, accountNumber: TEST_ACCOUNT_NUMBERS.accountClosed },
        idempotencyKey: randomUUID(),
      },
      tenant.key,
    );
    await ok(
      CreateTopupDocument,
      { input: { accountId: tenant.accountId, amount: "5000", currency: "USD" }, key: randomUUID() },
      tenant.key,
    );
    const ready = positioned(platform);
    const stream = new Recorder(client(tenant.key).client, BalanceChangedDocument, { accountId: tenant.accountId });
    await ready();

    const payout = await ok(
      CreatePayoutDocument,
      {
        input: {
          accountId: tenant.accountId,
          amount: "1200",
          currency: "USD",
          method: "STANDARD",
          destinationId: bank.addExternalAccount.id,
        },
        key: randomUUID(),
      },
      tenant.key,
    );
    // The test platform's bank rail runs with PAYOUT_STEP_MS=0: account_closed fails it at once.
    const events = (await stream.received(2)).map((data) => data.balanceChanged);
    expect(events.map((event) => [event.available.amount, event.balanceTransaction?.type])).toEqual([
      ["3800", "PAYOUT"],
      ["5000", "PAYOUT_FAILURE"],
    ]);
    expect(events[0]!.balanceTransaction?.id).toBe(payout.createPayout.balanceTransaction.id);
    expect(events.every((event) => event.account.displayName === "Payout Events Platform")).toBe(true);
  });
});

describe("driven by crypto: a deposit to a wallet", () => {
  it("streams the account's new balance in the asset, with the deposit's balance transaction", async () => {
    const tenant = await newPlatform("Crypto Events Platform");
    const ready = positioned(platform);
    const stream = new Recorder(client(tenant.key).client, BalanceChangedDocument, { accountId: tenant.accountId });
    await ready();
    const wallet = await ok(
      CreateCryptoWalletDocument,
      { input: { accountId: tenant.accountId, asset: "BTC" }, key: randomUUID() },
      tenant.key,
    );
    const deposit = await ok(
      SimulateCryptoDepositDocument,
      { walletId: wallet.createCryptoWallet.id, amount: "150000", key: randomUUID() },
      tenant.key,
    );
    const [event] = (await stream.received(1)).map((data) => data.balanceChanged);
    expect(event).toMatchObject({
      currency: "BTC",
      available: { amount: "150000", currency: "BTC", decimal: "0.00150000" },
      balanceTransaction: { id: deposit.simulateCryptoDeposit.balanceTransaction.id, type: "CRYPTO_DEPOSIT" },
      account: { id: tenant.accountId, displayName: "Crypto Events Platform" },
    });
  });
});

describe("queries and mutations over graphql-ws", () => {
  async function run(key: string, query: string, variables?: Record<string, unknown>) {
    const socket = client(key).client;
    return new Promise<{ data?: unknown; errors?: { extensions?: { code?: unknown } }[] }>((resolve, reject) => {
      let result: unknown;
      socket.subscribe(
        { query, ...(variables ? { variables } : {}) },
        {
          next: (value) => (result = value),
          error: reject,
          complete: () => resolve(result as never),
        },
      );
    });
  }

  it("answers a query as the connection's principal, with data from two subgraphs", async () => {
    const result = await run(alice.key, "{ viewer { id displayName balances { currency } } }");
    expect(result).toEqual({ data: { viewer: { id: alice.accountId, displayName: "Alice Platform", balances: [] } } });
  });

  it("runs a mutation through the same pipeline as HTTP (operator key creates a platform)", async () => {
    const result = await run(
      ADMIN_API_KEY,
      'mutation { createPlatform(input: { displayName: "Over WS", country: "US", defaultCurrency: "USD" }) { account { displayName } } }',
    );
    expect(result).toEqual({ data: { createPlatform: { account: { displayName: "Over WS" } } } });
  });

  it("keeps HTTP's typed errors and limits", async () => {
    const forbidden = await run(
      alice.key,
      'mutation { createPlatform(input: { displayName: "X", country: "US", defaultCurrency: "USD" }) { secretKey } }',
    );
    expect(forbidden.errors?.map((error) => error.extensions?.code)).toEqual(["FORBIDDEN"]);
    const deep = await run(alice.key, `{ viewer { ${"platform { ".repeat(20)}id${" }".repeat(20)} } }`);
    expect(new Set(deep.errors?.map((error) => error.extensions?.code))).toEqual(new Set(["BAD_USER_INPUT"]));
  });
});

describe("subscription requests the gateway refuses before subscribing", () => {
  async function refusal(query: string, variables: Record<string, unknown> = {}) {
    const stream = new Recorder(client(alice.key).client, query, variables);
    await stream.ended();
    return stream.error as { message: string; extensions?: { code?: string; reason?: string } }[];
  }

  it("refuses a subscription nested deeper than the limit", async () => {
    const nested = "platform { ".repeat(12) + "id" + " }".repeat(12);
    const errors = await refusal(`subscription($a: ID!) { balanceChanged(accountId: $a) { account { ${nested} } } }`, {
      a: alice.accountId,
    });
    expect(errors.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(errors[0]!.message).toMatch(/depth/i);
  });

  it("refuses a syntax error and an unknown field, without suggesting field names", async () => {
    const syntax = await refusal("subscription { balanceChanged(accountId: ");
    expect(syntax.map((error) => error.extensions)).toEqual([
      { code: "BAD_USER_INPUT", reason: "GRAPHQL_PARSE_FAILED", requestId: expect.any(String) },
    ]);
    const unknown = await refusal(`subscription { balanceChanged(accountId: "${alice.accountId}") { availabl { amount } } }`);
    expect(unknown.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(unknown[0]!.message).not.toMatch(/did you mean/i);
  });

  it("refuses missing or ill-typed variables", async () => {
    const missing = await refusal("subscription($a: ID!) { balanceChanged(accountId: $a) { id } }");
    expect(missing.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    const wrong = await refusal("subscription($a: ID!) { balanceChanged(accountId: $a) { id } }", { a: { not: "an id" } });
    expect(wrong.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("Apollo Client through the gateway", () => {
  it("receives a connected account's transfers in order, each with account { displayName }", async () => {
    const tenant = await newPlatform("Apollo Client Platform");
    const seller = await insertConnectedAccount({ tenantId: tenant.accountId });
    const ws = createClient({
      url: wsUrl(platform.gateway!.url),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${tenant.key}` },
    });
    const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    const received: BalanceChangedSubscription["balanceChanged"][] = [];
    const errors: unknown[] = [];
    const ready = positioned(platform);
    const subscription = apollo.subscribe({ query: BalanceChangedDocument, variables: { accountId: seller } }).subscribe({
      next: (result) => {
        if (result.error) errors.push(result.error);
        if (result.data) received.push(result.data.balanceChanged);
      },
      error: (error) => errors.push(error),
    });
    try {
      await ready();
      await ok(
        CreateTopupDocument,
        { input: { accountId: tenant.accountId, amount: "10000", currency: "USD" }, key: randomUUID() },
        tenant.key,
      );
      const transfers = [];
      for (const amount of ["100", "250", "400"]) {
        transfers.push(
          await ok(
            CreateTransferDocument,
            { input: { destinationAccountId: seller, amount, currency: "USD" }, key: randomUUID() },
            tenant.key,
          ),
        );
      }
      await until(() => received.length >= 3 || errors.length > 0, "three events through Apollo Client");
      expect(errors).toEqual([]);
      expect(received.map((event) => event.available.amount)).toEqual(["100", "350", "750"]);
      expect(received.map((event) => event.balanceTransaction?.id)).toEqual(
        transfers.map((transfer) => transfer.createTransfer.destinationBalanceTransaction.id),
      );
      expect(received.every((event) => event.account.id === seller && event.account.displayName.startsWith("Connected "))).toBe(true);
    } finally {
      subscription.unsubscribe();
      apollo.stop();
      await ws.dispose();
    }
  });
});
