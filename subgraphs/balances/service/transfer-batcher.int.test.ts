import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import type { AppError } from "../../shared/errors.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { verifyLedger } from "../ledger/integrity.ts";
import { readBalances } from "../ledger/read-balances.ts";
import { createTopup } from "./create-topup.ts";
import { createTransfer } from "./create-transfer.ts";

const USD = parseCurrency("USD")!;

describe("transfers sharing a commit", () => {
  it("keep their own outcomes: refusals in a batch do not affect the others, and release their keys", async () => {
    const deps = await testDeps();
    const principal = await insertPlatform(deps);
    const good = await Promise.all([0, 1, 2, 3].map(() => insertConnectedAccount({ tenantId: principal.tenantId })));
    const closed = await insertConnectedAccount({ tenantId: principal.tenantId, status: "CLOSED" });
    const euro = await insertConnectedAccount({ tenantId: principal.tenantId, defaultCurrency: "EUR" });
    await createTopup(deps, principal, { accountId: principal.tenantId, amount: 1_000n, currency: USD }, randomUUID());

    const requests = [
      ...good.map((destinationAccountId) => ({ destinationAccountId, amount: 200n, key: randomUUID() })),
      { destinationAccountId: closed, amount: 1n, key: randomUUID() },
      { destinationAccountId: euro, amount: 1n, key: randomUUID() },
      { destinationAccountId: "acct_unknown00000000000000000", amount: 1n, key: randomUUID() },
      // More than the platform holds at all: refused whatever order the concurrent requests reach
      // the batcher in (300n, "more than is left after the four", raced them on Postgres).
      { destinationAccountId: good[0]!, amount: 1_001n, key: randomUUID() },
    ];
    const results = await Promise.allSettled(
      requests.map((r) => createTransfer(deps, principal, { destinationAccountId: r.destinationAccountId, amount: r.amount, currency: USD }, r.key)),
    );
    expect(results.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as AppError).code))).toEqual([
      "ok", "ok", "ok", "ok", "INVALID_STATE", "CURRENCY_MISMATCH", "NOT_FOUND", "INSUFFICIENT_FUNDS",
    ]);
    const balances = await readBalances(deps.db, principal, [principal.tenantId, ...good]);
    expect(balances.get(principal.tenantId)?.[0]?.available).toBe(200n);
    for (const id of good) expect(balances.get(id)?.[0]?.available).toBe(200n);

    // The refused keys were released: the same key with corrected parameters now runs.
    const retried = await createTransfer(deps, principal, { destinationAccountId: good[1]!, amount: 150n, currency: USD }, requests[7]!.key);
    expect(retried.amount).toBe(150n);
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });
});
