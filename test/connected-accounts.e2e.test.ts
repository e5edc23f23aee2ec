// Connected accounts and their verification, end to end through the gateway.

import { beforeAll, describe, expect, it } from "vitest";
import {
  CloseAccountDocument,
  ConnectedAccountDocument,
  ConnectedAccountsCountDocument,
  ConnectedAccountsDocument,
  CreateConnectedAccountDocument,
  SubmitVerificationDocument,
  UpdateConnectedAccountDocument,
} from "./generated/graphql.ts";
import { idempotencyKey, newBankAccount, newConnectedAccount, PERSON, rowCounts, US_BANK } from "./support/accounts.ts";
import { codes, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { walkBothWays } from "./support/paging.ts";
import { AddExternalAccountDocument, CreateTopupDocument, CreateTransferDocument } from "./generated/graphql.ts";

let acme: TestTenant;

beforeAll(async () => {
  acme = await newPlatform("Acme Marketplace");
});

const input = {
  displayName: "Jane's Bakery",
  country: "US",
  defaultCurrency: "USD",
  email: "jane@example.com",
  metadata: { sellerId: "42" },
};

describe("createConnectedAccount", () => {
  it("creates a connected account of the key's mode, pending verification, with what is due", async () => {
    const data = await ok(CreateConnectedAccountDocument, { input, idempotencyKey: idempotencyKey() }, acme.key);
    expect(data.createConnectedAccount).toMatchObject({
      displayName: "Jane's Bakery",
      type: "CONNECTED",
      country: "US",
      defaultCurrency: "USD",
      email: "jane@example.com",
      status: "PENDING_VERIFICATION",
      payoutsEnabled: false,
      livemode: false,
      metadata: { sellerId: "42" },
      closedAt: null,
      verification: null,
      platform: { id: acme.accountId },
      requirements: { currentlyDue: ["LEGAL_NAME", "DATE_OF_BIRTH", "ID_NUMBER", "ADDRESS"], disabledReason: "REQUIREMENTS_DUE" },
    });
    expect(data.createConnectedAccount.id).toMatch(/^acct_[0-9A-Za-z]{24}$/);
  });

  it("is idempotent: a replay returns the first account and creates nothing", async () => {
    const key = idempotencyKey();
    const first = await ok(CreateConnectedAccountDocument, { input, idempotencyKey: key }, acme.key);
    const before = await rowCounts(acme);
    const replay = await ok(CreateConnectedAccountDocument, { input, idempotencyKey: key }, acme.key);
    expect(replay.createConnectedAccount).toEqual(first.createConnectedAccount);
    expect(await rowCounts(acme)).toEqual(before);
  });

  it("refuses the same idempotency key with other parameters", async () => {
    const key = idempotencyKey();
    await ok(CreateConnectedAccountDocument, { input, idempotencyKey: key }, acme.key);
    const before = await rowCounts(acme);
    const reused = await request(
      CreateConnectedAccountDocument,
      { input: { ...input, displayName: "Other" }, idempotencyKey: key },
      { key: acme.key },
    );
    expect(codes(reused)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await rowCounts(acme)).toEqual(before);
  });

  it("keeps the same idempotency key of two platforms apart", async () => {
    const other = await newPlatform("Other");
    const key = idempotencyKey();
    const a = await ok(CreateConnectedAccountDocument, { input, idempotencyKey: key }, acme.key);
    const b = await ok(CreateConnectedAccountDocument, { input, idempotencyKey: key }, other.key);
    expect(a.createConnectedAccount.id).not.toBe(b.createConnectedAccount.id);
  });

  it.each([
    ["an unknown country", { country: "XX" }, "BAD_USER_INPUT", "input.country"],
    ["a lower-case country", { country: "us" }, "BAD_USER_INPUT", "input.country"],
    ["a three-letter country", { country: "USA" }, "BAD_USER_INPUT", "input.country"],
    ["a crypto default currency", { defaultCurrency: "BTC" }, "BAD_USER_INPUT", "input.defaultCurrency"],
    ["a bad email", { email: "jane-at-example" }, "BAD_USER_INPUT", "input.email"],
    ["an empty display name", { displayName: "  " }, "BAD_USER_INPUT", "input.displayName"],
    [
      "51 metadata keys",
      { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) },
      "BAD_USER_INPUT",
      "input.metadata",
    ],
    ["a 41-character metadata key", { metadata: { ["k".repeat(41)]: "v" } }, "BAD_USER_INPUT", "input.metadata"],
    ["a 501-character metadata value", { metadata: { k: "v".repeat(501) } }, "BAD_USER_INPUT", "input.metadata"],
    ["a non-string metadata value", { metadata: { k: 1 } }, "BAD_USER_INPUT", "input.metadata"],
    ["metadata that is not an object", { metadata: ["a"] }, "BAD_USER_INPUT", "input.metadata"],
  ])("refuses %s with a typed error and writes nothing", async (_what, change, code, argument) => {
    const before = await rowCounts(acme);
    const result = await request(
      CreateConnectedAccountDocument,
      { input: { ...input, ...change }, idempotencyKey: idempotencyKey() },
      { key: acme.key },
    );
    expect(codes(result)).toEqual([code]);
    expect(result.errors?.[0]?.extensions?.["argument"]).toBe(argument);
    expect(result.data ?? null).toBeNull();
    expect(await rowCounts(acme)).toEqual(before);
  });

  it.each([
    ["an unsupported currency", { defaultCurrency: "XYZ" }],
    ["a lower-case currency", { defaultCurrency: "usd" }],
  ])("refuses %s at the gateway (strict Currency scalar), writing nothing", async (_what, change) => {
    const before = await rowCounts(acme);
    const result = await request(
      CreateConnectedAccountDocument,
      { input: { ...input, ...change }, idempotencyKey: idempotencyKey() },
      { key: acme.key },
    );
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(await rowCounts(acme)).toEqual(before);
  });

  it("accepts metadata at its limits", async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`${"k".repeat(38)}${String(i).padStart(2, "0")}`, "v".repeat(500)]),
    );
    const data = await ok(CreateConnectedAccountDocument, { input: { ...input, metadata }, idempotencyKey: idempotencyKey() }, acme.key);
    expect(data.createConnectedAccount.metadata).toEqual(metadata);
  });
});

describe("updateConnectedAccount", () => {
  it("changes the display name and email, and merges metadata", async () => {
    const id = await newConnectedAccount(acme, { metadata: { a: "1", b: "2" } });
    const data = await ok(
      UpdateConnectedAccountDocument,
      { id, input: { displayName: "Renamed", email: null, metadata: { a: null, b: "", c: "3" } } },
      acme.key,
    );
    expect(data.updateConnectedAccount).toMatchObject({ displayName: "Renamed", email: null, metadata: { c: "3" } });
    const unchanged = await ok(UpdateConnectedAccountDocument, { id, input: { metadata: { d: "4" } } }, acme.key);
    expect(unchanged.updateConnectedAccount).toMatchObject({ displayName: "Renamed", metadata: { c: "3", d: "4" } });
  });

  it("refuses metadata that would exceed 50 keys after merging, and writes nothing", async () => {
    const id = await newConnectedAccount(acme, { metadata: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`old${i}`, "v"])) });
    const before = await rowCounts(acme);
    const result = await request(
      UpdateConnectedAccountDocument,
      { id, input: { metadata: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`new${i}`, "v"])) } },
      { key: acme.key },
    );
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(await rowCounts(acme)).toEqual(before);
  });

  it("refuses an unknown id with NOT_FOUND", async () => {
    const result = await request(
      UpdateConnectedAccountDocument,
      { id: "acct_unknown000000000000000000", input: { displayName: "X" } },
      { key: acme.key },
    );
    expect(codes(result)).toEqual(["NOT_FOUND"]);
  });

  it("does not change the platform's own account", async () => {
    const result = await request(UpdateConnectedAccountDocument, { id: acme.accountId, input: { displayName: "X" } }, { key: acme.key });
    expect(codes(result)).toEqual(["FORBIDDEN"]);
  });
});

describe("closeAccount", () => {
  it("closes for good: no payouts, no changes, no new bank accounts; closing again changes nothing", async () => {
    const id = await newConnectedAccount(acme);
    await ok(SubmitVerificationDocument, { accountId: id, input: PERSON }, acme.key);
    const closed = await ok(CloseAccountDocument, { id }, acme.key);
    expect(closed.closeAccount).toMatchObject({
      status: "CLOSED",
      payoutsEnabled: false,
      requirements: { currentlyDue: [], disabledReason: "CLOSED" },
    });
    expect(closed.closeAccount.closedAt).not.toBeNull();
    const again = await ok(CloseAccountDocument, { id }, acme.key);
    expect(again.closeAccount.closedAt).toBe(closed.closeAccount.closedAt);

    const before = await rowCounts(acme);
    expect(codes(await request(UpdateConnectedAccountDocument, { id, input: { displayName: "X" } }, { key: acme.key }))).toEqual([
      "INVALID_STATE",
    ]);
    expect(codes(await request(SubmitVerificationDocument, { accountId: id, input: PERSON }, { key: acme.key }))).toEqual([
      "INVALID_STATE",
    ]);
    const bank = await request(
      AddExternalAccountDocument,
      { accountId: id, input: US_BANK, idempotencyKey: idempotencyKey() },
      { key: acme.key },
    );
    expect(codes(bank)).toEqual(["INVALID_STATE"]);
    expect(await rowCounts(acme)).toEqual(before);
  });

  it("keeps a closed account's bank accounts readable", async () => {
    const id = await newConnectedAccount(acme);
    const bank = await newBankAccount(acme, id);
    await ok(CloseAccountDocument, { id }, acme.key);
    const data = await ok(ConnectedAccountDocument, { id }, acme.key);
    expect(data.account?.externalAccounts.map((account) => account.id)).toEqual([bank]);
  });

  it("refuses to close an account that still holds funds; an empty one closes", async () => {
    const platform = await newPlatform("Funds Holder");
    const id = await newConnectedAccount(platform);
    await ok(
      CreateTopupDocument,
      { input: { accountId: platform.accountId, amount: "5000", currency: "USD" }, key: idempotencyKey() },
      platform.key,
    );
    await ok(
      CreateTransferDocument,
      { input: { destinationAccountId: id, amount: "1250", currency: "USD" }, key: idempotencyKey() },
      platform.key,
    );
    const before = await rowCounts(platform);
    const refused = await request(CloseAccountDocument, { id }, { key: platform.key });
    expect(codes(refused)).toEqual(["INVALID_STATE"]);
    expect(refused.errors?.[0]?.message).toMatch(/holds funds \(USD\)/);
    expect(await rowCounts(platform)).toEqual(before);
    expect((await ok(ConnectedAccountDocument, { id }, platform.key)).account?.status).toBe("PENDING_VERIFICATION");
    // An account that never held money closes at once.
    const empty = await newConnectedAccount(platform);
    expect((await ok(CloseAccountDocument, { id: empty }, platform.key)).closeAccount.status).toBe("CLOSED");
  });

  it("does not close the platform", async () => {
    expect(codes(await request(CloseAccountDocument, { id: acme.accountId }, { key: acme.key }))).toEqual(["FORBIDDEN"]);
  });
});

describe("verification (test mode)", () => {
  it('verifies idNumber "000000000": ACTIVE with payouts enabled, nothing due', async () => {
    const id = await newConnectedAccount(acme);
    const data = await ok(SubmitVerificationDocument, { accountId: id, input: PERSON }, acme.key);
    expect(data.submitVerification).toMatchObject({
      status: "ACTIVE",
      payoutsEnabled: true,
      requirements: { currentlyDue: [], disabledReason: null },
      verification: { legalName: "Jane Doe", dateOfBirth: "1990-01-31", idNumberLast4: "0000", address: PERSON.address },
    });
  });

  it('restricts idNumber "111111111", asks for the id number again, and verifies a corrected submission', async () => {
    const id = await newConnectedAccount(acme);
    const rejected = await ok(SubmitVerificationDocument, { accountId: id, input: { ...PERSON, idNumber: "111-11-1111" } }, acme.key);
    expect(rejected.submitVerification).toMatchObject({
      status: "RESTRICTED",
      payoutsEnabled: false,
      requirements: { currentlyDue: ["ID_NUMBER"], disabledReason: "VERIFICATION_FAILED" },
    });
    const corrected = await ok(SubmitVerificationDocument, { accountId: id, input: PERSON }, acme.key);
    expect(corrected.submitVerification).toMatchObject({ status: "ACTIVE", payoutsEnabled: true });
  });

  it("never stores the full id number", async () => {
    const id = await newConnectedAccount(acme);
    await ok(SubmitVerificationDocument, { accountId: id, input: { ...PERSON, idNumber: "123456789" } }, acme.key);
    const { testPlatform } = await import("./support/platform.ts");
    const row = await (await testPlatform()).deps!.db.prisma.account.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(row)).not.toContain("123456789");
    expect(row.idNumberLast4).toBe("6789");
  });

  it("refuses an already verified account and the platform", async () => {
    const id = await newConnectedAccount(acme);
    await ok(SubmitVerificationDocument, { accountId: id, input: PERSON }, acme.key);
    expect(codes(await request(SubmitVerificationDocument, { accountId: id, input: PERSON }, { key: acme.key }))).toEqual([
      "INVALID_STATE",
    ]);
    expect(codes(await request(SubmitVerificationDocument, { accountId: acme.accountId, input: PERSON }, { key: acme.key }))).toEqual([
      "INVALID_STATE",
    ]);
  });

  it.each([
    ["an impossible date", { dateOfBirth: "1990-02-30" }, "input.dateOfBirth"],
    ["another date format", { dateOfBirth: "01/31/1990" }, "input.dateOfBirth"],
    ["a minor", { dateOfBirth: new Date(Date.now() - 10 * 365 * 86_400_000).toISOString().slice(0, 10) }, "input.dateOfBirth"],
    ["a short SSN", { idNumber: "12345" }, "input.idNumber"],
    ["an unknown address country", { address: { ...PERSON.address, country: "XX" } }, "input.address.country"],
    ["a bad ZIP code", { address: { ...PERSON.address, postalCode: "ABCDE" } }, "input.address.postalCode"],
  ])("refuses %s with BAD_USER_INPUT and changes nothing", async (_what, change, argument) => {
    const id = await newConnectedAccount(acme);
    const before = await rowCounts(acme);
    const result = await request(SubmitVerificationDocument, { accountId: id, input: { ...PERSON, ...change } }, { key: acme.key });
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions?.["argument"]).toBe(argument);
    expect(await rowCounts(acme)).toEqual(before);
    const data = await ok(ConnectedAccountDocument, { id }, acme.key);
    expect(data.account).toMatchObject({ status: "PENDING_VERIFICATION", verification: null });
  });

  it("answers NOT_FOUND for an unknown account", async () => {
    const result = await request(
      SubmitVerificationDocument,
      { accountId: "acct_unknown000000000000000000", input: PERSON },
      { key: acme.key },
    );
    expect(codes(result)).toEqual(["NOT_FOUND"]);
  });
});

describe("connectedAccounts", () => {
  it("lists newest first, pages with cursors, and filters by status", async () => {
    const platform = await newPlatform("Lister");
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await newConnectedAccount(platform, { displayName: `Seller ${i}` }));
    await ok(SubmitVerificationDocument, { accountId: ids[1]!, input: PERSON }, platform.key);
    await ok(SubmitVerificationDocument, { accountId: ids[3]!, input: { ...PERSON, idNumber: "111111111" } }, platform.key);

    const first = await ok(ConnectedAccountsDocument, { first: 2 }, platform.key);
    const page1 = first.viewer.connectedAccounts;
    expect(page1.edges.map((edge) => edge.node.id)).toEqual([ids[4], ids[3]]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await ok(ConnectedAccountsDocument, { first: 2, after: page1.pageInfo.endCursor }, platform.key);
    expect(second.viewer.connectedAccounts.edges.map((edge) => edge.node.id)).toEqual([ids[2], ids[1]]);
    const third = await ok(
      ConnectedAccountsDocument,
      { first: 2, after: second.viewer.connectedAccounts.pageInfo.endCursor },
      platform.key,
    );
    expect(third.viewer.connectedAccounts.edges.map((edge) => edge.node.id)).toEqual([ids[0]]);
    expect(third.viewer.connectedAccounts.pageInfo.hasNextPage).toBe(false);

    const active = await ok(ConnectedAccountsDocument, { status: "ACTIVE" }, platform.key);
    expect(active.viewer.connectedAccounts.edges.map((edge) => edge.node.id)).toEqual([ids[1]]);
    const restricted = await ok(ConnectedAccountsDocument, { status: "RESTRICTED" }, platform.key);
    expect(restricted.viewer.connectedAccounts.edges.map((edge) => edge.node.id)).toEqual([ids[3]]);
    const pending = await ok(ConnectedAccountsDocument, { status: "PENDING_VERIFICATION" }, platform.key);
    expect(pending.viewer.connectedAccounts.edges.map((edge) => edge.node.id)).toEqual([ids[4], ids[2], ids[0]]);
  });

  it.each([0, 101])("refuses first=%s", async (first) => {
    expect(codes(await request(ConnectedAccountsDocument, { first }, { key: acme.key }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("pages 60 accounts down with first/after and back up with last/before, every pageInfo field true to its page", async () => {
    const platform = await newPlatform("Sixty sellers");
    const created: string[] = [];
    for (let i = 0; i < 60; i += 1) created.push(await newConnectedAccount(platform, { displayName: `Seller ${i}` }));
    const walked = await walkBothWays(
      async (args) => (await ok(ConnectedAccountsDocument, args, platform.key)).viewer.connectedAccounts,
      25,
    );
    expect(walked).toEqual(created.reverse());
    // Window bounded on both sides: what lies strictly between two cursors, from either end.
    const all = (await ok(ConnectedAccountsDocument, { first: 60 }, platform.key)).viewer.connectedAccounts.edges;
    const between = { after: all[9]!.cursor, before: all[20]!.cursor };
    const top = (await ok(ConnectedAccountsDocument, { first: 4, ...between }, platform.key)).viewer.connectedAccounts;
    expect(top.edges.map((edge) => edge.node.id)).toEqual(walked.slice(10, 14));
    expect(top.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const bottom = (await ok(ConnectedAccountsDocument, { last: 4, ...between }, platform.key)).viewer.connectedAccounts;
    expect(bottom.edges.map((edge) => edge.node.id)).toEqual(walked.slice(16, 20));
    expect(bottom.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const whole = (await ok(ConnectedAccountsDocument, { last: 20, ...between }, platform.key)).viewer.connectedAccounts;
    expect(whole.edges.map((edge) => edge.node.id)).toEqual(walked.slice(10, 20));
    expect(whole.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it("refuses first with last, a last out of 1..100 and a hand-made before, with BAD_USER_INPUT", async () => {
    for (const variables of [{ first: 2, last: 2 }, { last: 0 }, { last: 101 }, { last: 1.5 }, { before: "bm90IGEgY3Vyc29y" }]) {
      const result = await request(ConnectedAccountsDocument, variables as { last: number }, { key: acme.key });
      expect(codes(result), JSON.stringify(variables)).toEqual(["BAD_USER_INPUT"]);
    }
  });

  it("searches by a part of the display name or email (case-insensitive, wildcards literal) or by exact id", async () => {
    const platform = await newPlatform("Searcher");
    const bakery = await newConnectedAccount(platform, { displayName: "Jane's Bakery", email: "jane@bakery.example" });
    const florist = await newConnectedAccount(platform, { displayName: "Bloom 100% Florist", email: "shop@bloom.example" });
    const garage = await newConnectedAccount(platform, { displayName: "Garage_One", email: "hello@garage.example" });
    const other = await newPlatform("Other searcher");
    const theirs = await newConnectedAccount(other, { displayName: "Jane's Other Bakery" });
    const found = async (search: string, tenant = platform) =>
      (await ok(ConnectedAccountsDocument, { search, first: 10 }, tenant.key)).viewer.connectedAccounts.edges.map((edge) => edge.node.id);
    expect(await found("bakery")).toEqual([bakery]);
    expect(await found("BLOOM.EXAMPLE")).toEqual([florist]);
    expect(await found("  jane  ")).toEqual([bakery]);
    expect(await found("%")).toEqual([florist]);
    expect(await found("_")).toEqual([garage]);
    expect(await found("e_o")).toEqual([garage]);
    expect(await found(florist)).toEqual([florist]);
    expect(await found("nothing like it")).toEqual([]);
    // Another platform's account, by name or by id: not found.
    expect(await found("Other Bakery")).toEqual([]);
    expect(await found(theirs)).toEqual([]);
    // With a status, and paged: the filters combine.
    const page = (await ok(ConnectedAccountsDocument, { search: "example", status: "PENDING_VERIFICATION", first: 2 }, platform.key)).viewer
      .connectedAccounts;
    expect(page.edges.map((edge) => edge.node.id)).toEqual([garage, florist]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    for (const search of ["", "   ", "x".repeat(101)]) {
      const result = await request(ConnectedAccountsDocument, { search }, { key: platform.key });
      expect(codes(result), JSON.stringify(search)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions?.["argument"]).toBe("search");
    }
  });

  it("counts the whole filtered list when totalCount is asked for, whatever the page size", async () => {
    const platform = await newPlatform("Counter");
    for (let i = 0; i < 7; i++) await newConnectedAccount(platform, { displayName: i < 3 ? `Baker ${i}` : `Florist ${i}` });
    const count = async (variables: { status?: "ACTIVE"; search?: string; first?: number }) =>
      (await ok(ConnectedAccountsCountDocument, variables, platform.key)).viewer.connectedAccounts;
    expect(await count({ first: 2 })).toMatchObject({ totalCount: 7, edges: [{}, {}] });
    expect((await count({ search: "baker", first: 1 })).totalCount).toBe(3);
    expect((await count({ status: "ACTIVE" })).totalCount).toBe(0);
    // Another platform's accounts are not counted.
    expect(
      (await ok(ConnectedAccountsCountDocument, {}, (await newPlatform("Empty counter")).key)).viewer.connectedAccounts.totalCount,
    ).toBe(0);
  });

  it("moves only inside the caller's own list: another platform's cursor shows none of its accounts", async () => {
    const other = await newPlatform("Other lister");
    const theirs = await newConnectedAccount(other);
    const mine = await newPlatform("Own lister");
    const own = await newConnectedAccount(mine);
    const cursor = (await ok(ConnectedAccountsDocument, { first: 1 }, other.key)).viewer.connectedAccounts.edges[0]!.cursor;
    for (const args of [
      { last: 5, before: cursor },
      { first: 5, after: cursor },
    ]) {
      const ids = (await ok(ConnectedAccountsDocument, args, mine.key)).viewer.connectedAccounts.edges.map((edge) => edge.node.id);
      expect(ids).not.toContain(theirs);
      expect(ids.every((id) => id === own)).toBe(true);
    }
  });
});
