// Account.topups and Account.transfers, end to end through the gateway: newest first, both ways,
// filtered, inside the caller's tenant, bad input refused.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { AccountTopupsDocument, AccountTransfersDocument, CreateTopupDocument, CreateTransferDocument } from "./generated/graphql.ts";
import { newConnectedAccount } from "./support/accounts.ts";
import { codes, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { walkBothWays } from "./support/paging.ts";

const key = () => randomUUID();

let platform: TestTenant;
let other: TestTenant;
const topups: string[] = [];
const sellers: string[] = [];
/** Transfer ids by seller, oldest first; and every transfer, oldest first. */
const toSeller = new Map<string, string[]>();
const transfers: string[] = [];
let middle: string;

beforeAll(async () => {
  platform = await newPlatform("Lists of money movements");
  other = await newPlatform("Another lister");
  for (const amount of ["1000", "2000", "3000", "4000", "5000"]) {
    const created = await ok(
      CreateTopupDocument,
      { input: { accountId: platform.accountId, amount, currency: "USD" }, key: key() },
      platform.key,
    );
    topups.push(created.createTopup.id);
  }
  for (let i = 0; i < 3; i++) sellers.push(await newConnectedAccount(platform, { displayName: `Payee ${i}` }));
  // Transfers need available funds: wait until the top-ups have settled.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const settled = await ok(AccountTopupsDocument, { id: platform.accountId, status: "SUCCEEDED", first: 10 }, platform.key);
    if (settled.account!.topups.edges.length === topups.length) break;
    if (Date.now() > deadline) throw new Error("the top-ups did not settle in 60 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (let i = 0; i < 7; i++) {
    const seller = sellers[i % sellers.length]!;
    const created = await ok(
      CreateTransferDocument,
      { input: { destinationAccountId: seller, amount: `${i + 1}`, currency: "USD" }, key: key() },
      platform.key,
    );
    transfers.push(created.createTransfer.id);
    toSeller.set(seller, [...(toSeller.get(seller) ?? []), created.createTransfer.id]);
    if (i === 3) middle = new Date().toISOString();
  }
});

const topupsOf = async (tenant: TestTenant, variables: object) =>
  (await ok(AccountTopupsDocument, { id: platform.accountId, ...variables }, tenant.key)).account!.topups;
const transfersOf = async (id: string, variables: object) =>
  (await ok(AccountTransfersDocument, { id, ...variables }, platform.key)).account!.transfers;

describe("Account.topups", () => {
  it("lists the account's top-ups newest first, both ways", async () => {
    expect(await walkBothWays((args) => topupsOf(platform, args), 2)).toEqual([...topups].reverse());
  });

  it("filters by status", async () => {
    const ids = async (status: "PENDING" | "SUCCEEDED") => (await topupsOf(platform, { status, first: 100 })).edges.map((e) => e.node.id);
    expect(await ids("SUCCEEDED")).toEqual([...topups].reverse());
    expect(await ids("PENDING")).toEqual([]);
  });

  it("filters by the created range", async () => {
    const all = (await topupsOf(platform, { first: 100 })).edges;
    const at = all[2]!.node.createdAt as string;
    expect((await topupsOf(platform, { created: { lte: at }, first: 100 })).edges.map((e) => e.node.id)).toEqual(
      topups.slice(0, 3).reverse(),
    );
    expect((await topupsOf(platform, { created: { gt: at }, first: 100 })).edges.map((e) => e.node.id)).toEqual(topups.slice(3).reverse());
  });

  it("shows another platform none of them", async () => {
    const result = await request(AccountTopupsDocument, { id: platform.accountId, first: 5 }, { key: other.key });
    expect(codes(result)).toEqual(["NOT_FOUND"]);
    const own = (await ok(AccountTopupsDocument, { id: other.accountId, first: 5 }, other.key)).account!.topups;
    expect(own.edges).toEqual([]);
  });
});

describe("Account.transfers", () => {
  it("lists on the platform every transfer it sent, newest first, both ways", async () => {
    expect(await walkBothWays((args) => transfersOf(platform.accountId, args), 3)).toEqual([...transfers].reverse());
  });

  it("lists on a connected account the transfers it received, and on the platform those to one connected account", async () => {
    for (const seller of sellers) {
      const expected = [...toSeller.get(seller)!].reverse();
      expect(await walkBothWays((args) => transfersOf(seller, args), 1)).toEqual(expected);
      const filtered = await walkBothWays((args) => transfersOf(platform.accountId, { ...args, destinationAccountId: seller }), 2);
      expect(filtered).toEqual(expected);
    }
  });

  it("filters by the created range", async () => {
    const ids = async (created: object) => (await transfersOf(platform.accountId, { created, first: 100 })).edges.map((e) => e.node.id);
    expect(await ids({ lte: middle })).toEqual(transfers.slice(0, 4).reverse());
    expect(await ids({ gt: middle })).toEqual(transfers.slice(4).reverse());
  });

  it("keeps tenants apart: another platform's account is NOT_FOUND, and a filter on it finds nothing", async () => {
    const theirs = await newConnectedAccount(other);
    const foreign = await request(AccountTransfersDocument, { id: sellers[0]!, first: 5 }, { key: other.key });
    expect(codes(foreign)).toEqual(["NOT_FOUND"]);
    expect((await transfersOf(platform.accountId, { destinationAccountId: theirs, first: 5 })).edges).toEqual([]);
  });

  it.each([
    ["a malformed connected account id", { destinationAccountId: "acct_\u0000x" }, "destinationAccountId"],
    ["an id of another kind", { destinationAccountId: "tr_123" }, "destinationAccountId"],
    ["an empty created range", { created: {} }, "created"],
    ["a created range upside down", { created: { gte: "2030-01-01T00:00:00Z", lte: "2020-01-01T00:00:00Z" } }, "created"],
    ["first with last", { first: 1, last: 1 }, "last"],
    ["a last out of range", { last: 101 }, "last"],
    ["a hand-made cursor", { before: "xyz" }, "before"],
  ])("refuses %s with BAD_USER_INPUT, naming the argument", async (_, variables, argument) => {
    const result = await request(AccountTransfersDocument, { id: platform.accountId, ...variables }, { key: platform.key });
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions?.["argument"]).toBe(argument);
  });
});
