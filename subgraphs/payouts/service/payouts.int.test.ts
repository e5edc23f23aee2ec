// Payouts at the service level, on the test database: the debit and its refusals (each writes
// nothing), idempotency, every step of the lifecycle with its ledger postings, the database's
// own guard against illegal transitions (pair by pair against the state machine), the shared
// lifecycle template (a batch rolled back by a failing step posts its reversals once), and concurrency: 200 payouts racing for a balance
// that covers 100, and two workers racing over the same payouts.
//
// Payouts here are created with PAYOUT_STEP_MS of an hour and advanced by calling the worker's
// step with a `now` in the future for this test's tenant only, so the e2e platform's workers
// (sharing the database on Postgres) never touch them and every step is deterministic.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { usesPostgres } from "../../../test/support/database.ts";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { idOf, insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { addExternalAccount, closeAccount } from "../../accounts/api.ts";
import { verifyLedger, readBalances } from "../../ledger/api.ts";
import { createTopup } from "../../balances/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError } from "../../shared/errors.ts";
import { newId, type AccountId, type Id } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { StepError } from "../../shared/worker.ts";
import { checkGuard } from "../../../test/support/lifecycle.ts";
import { payoutLifecycle } from "../domain/lifecycle.ts";
import { insertPayout } from "../store.ts";
import { advanceDuePayouts } from "./advance-payouts.ts";
import { cancelPayout } from "./cancel-payout.ts";
import { createPayout, type CreatePayoutInput } from "./create-payout.ts";
import type { PayoutRecord } from "../store.ts";
import { findPayout } from "./read-payouts.ts";
import { startPayoutsWorker } from "./worker.ts";

const USD = parseCurrency("USD")!;
const HOUR = 60 * 60 * 1000;
const US_BANK = { country: "US", currency: "USD", accountHolderName: "Jane Doe", routingNumber: "110000000" };

let deps: Dependencies;

async function bank(principal: PlatformPrincipal, accountId: AccountId, accountNumber = "000123456789"): Promise<Id<"bankAccount">> {
  const added = await addExternalAccount(deps, principal, accountId, { ...US_BANK, accountNumber }, randomUUID());
  return added.id;
}

async function seller(principal: PlatformPrincipal, funds: bigint, status?: "PENDING_VERIFICATION"): Promise<AccountId> {
  const id = await insertConnectedAccount({ tenantId: principal.tenantId, ...(status ? { status } : {}) });
  if (funds > 0n) await createTopup(deps, principal, { accountId: id, amount: funds, currency: USD }, randomUUID());
  return id;
}

async function available(principal: PlatformPrincipal, accountId: AccountId): Promise<bigint> {
  const balances = await readBalances(deps.db, principal, [accountId]);
  return balances.get(accountId)?.find((b) => b.currency === "USD")?.available ?? 0n;
}

/** Everything a payout could have written for a tenant. */
async function footprint(tenantId: string) {
  const [payouts, ledger, history, keys] = await Promise.all([
    deps.db.prisma.payout.count({ where: { tenantId } }),
    deps.db.prisma.ledgerTransaction.count({ where: { tenantId } }),
    deps.db.prisma.balanceTransaction.count({ where: { tenantId } }),
    deps.db.prisma.idempotencyKey.count({ where: { scope: { startsWith: tenantId } } }),
  ]);
  return { payouts, ledger, history, keys };
}

/** Runs the bank rail for this tenant as if `hours` had passed. */
async function advance(principal: PlatformPrincipal, hours: number): Promise<PayoutRecord[]> {
  return [...(await advanceDuePayouts(deps, { now: new Date(Date.now() + hours * HOUR), tenantId: principal.tenantId })).advanced];
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "OK";
}

beforeAll(async () => {
  deps = await testDeps({ PAYOUT_STEP_MS: String(HOUR) });
});

describe("createPayout", () => {
  it("debits amount plus fee in one commit: clearing gets the amount, the platform's fees the fee", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 100_000n);
    const destinationId = await bank(p, account);
    const payout = await createPayout(
      deps,
      p,
      {
        accountId: account,
        amount: 20_000n,
        currency: USD,
        method: "INSTANT",
        destinationId,
        statementDescriptor: "ACME PAYOUT",
        metadata: { order: "7" },
      },
      randomUUID(),
    );
    expect(payout).toMatchObject({
      status: "PENDING",
      amount: 20_000n,
      fee: 200n,
      method: "INSTANT",
      destinationId,
      statementDescriptor: "ACME PAYOUT",
      metadata: { order: "7" },
    });
    expect(await available(p, account)).toBe(100_000n - 20_200n);
    expect(await findPayout(deps, p, payout.id)).toEqual(payout);

    const bt = await deps.db.prisma.balanceTransaction.findUniqueOrThrow({ where: { id: payout.balanceTransactionId } });
    expect({ type: bt.type, amount: bt.amount.toFixed(), fee: bt.fee.toFixed(), net: bt.net.toFixed(), sourceId: bt.sourceId }).toEqual({
      type: "PAYOUT",
      amount: "-20000",
      fee: "200",
      net: "-20200",
      sourceId: payout.id,
    });
    const entries = await deps.db.sql.query<{ kind: string; account_id: string; amount: string }>(
      `SELECT la.kind::text AS kind, la.account_id, le.amount::text AS amount FROM ledger_entry le JOIN ledger_account la ON la.id = le.ledger_account_id
        WHERE le.transaction_id = $1 ORDER BY la.kind::text`,
      [payout.ledgerTransactionId],
    );
    expect(entries).toEqual([
      { kind: "AVAILABLE", account_id: account, amount: "-20200" },
      { kind: "FEES", account_id: p.tenantId, amount: "200" },
      { kind: "PAYOUT_CLEARING", account_id: p.tenantId, amount: "20000" },
    ]);
    const events = await deps.db.prisma.balanceEvent.findMany({
      where: { accountId: account, balanceTransactionId: payout.balanceTransactionId },
    });
    expect(events).toHaveLength(1);
    expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  });

  it("pays the platform's own balance too, and to the default bank account when no destination is given", async () => {
    const p = await insertPlatform(deps);
    await createTopup(deps, p, { accountId: p.tenantId, amount: 5_000n, currency: USD }, randomUUID());
    const destinationId = await bank(p, p.tenantId);
    const payout = await createPayout(deps, p, { accountId: p.tenantId, amount: 5_000n, currency: USD, method: "STANDARD" }, randomUUID());
    expect(payout).toMatchObject({ destinationId, fee: 0n, accountId: p.tenantId });
    expect(await available(p, p.tenantId)).toBe(0n);
  });

  it("refuses with a typed error and writes nothing", async () => {
    const p = await insertPlatform(deps);
    const other = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const destinationId = await bank(p, account);
    const unverified = await seller(p, 0n, "PENDING_VERIFICATION");
    const sibling = await seller(p, 0n);
    const siblingsBank = await bank(p, sibling);
    const eurBank = (
      await addExternalAccount(
        deps,
        p,
        account,
        { country: "DE", currency: "EUR", accountHolderName: "Jana", iban: "DE89370400440532013000" },
        randomUUID(),
      )
    ).id;
    const othersAccount = await seller(other, 10_000n);
    const othersBank = await bank(other, othersAccount);
    const base: CreatePayoutInput = { accountId: account, amount: 1_000n, currency: USD, method: "STANDARD", destinationId };
    const before = await footprint(p.tenantId);
    const cases: [Partial<CreatePayoutInput>, string][] = [
      [{ amount: 10_001n }, "INSUFFICIENT_FUNDS"],
      [{ amount: 9_990n, method: "INSTANT" }, "INSUFFICIENT_FUNDS"], // the fee does not fit
      [{ amount: 0n }, "BAD_USER_INPUT"],
      [{ amount: 1_000_001n, method: "INSTANT" }, "BAD_USER_INPUT"],
      [{ statementDescriptor: "x".repeat(23) }, "BAD_USER_INPUT"],
      [{ metadata: { n: 1 } }, "BAD_USER_INPUT"],
      [{ accountId: unverified, destinationId: undefined }, "PAYOUTS_NOT_ENABLED"],
      [{ destinationId: eurBank }, "CURRENCY_MISMATCH"],
      [{ destinationId: siblingsBank }, "NOT_FOUND"],
      [{ destinationId: othersBank }, "NOT_FOUND"],
      [{ destinationId: idOf("bankAccount", "ba_doesnotexist") }, "NOT_FOUND"],
      [{ accountId: othersAccount, destinationId: othersBank }, "NOT_FOUND"],
    ];
    for (const [change, code] of cases) {
      expect(
        await codeOf(createPayout(deps, p, { ...base, ...change }, randomUUID())),
        JSON.stringify(change, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
      ).toBe(code);
    }
    expect(await footprint(p.tenantId)).toEqual(before);
    expect(await available(p, account)).toBe(10_000n);
    // Live mode sees none of the test-mode account.
    expect(await codeOf(createPayout(deps, { ...p, livemode: true }, base, randomUUID()))).toBe("NOT_FOUND");
  });

  it("replays a repeated key and refuses the key with other parameters", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const destinationId = await bank(p, account);
    const key = randomUUID();
    const input: CreatePayoutInput = { accountId: account, amount: 1_000n, currency: USD, method: "STANDARD", destinationId };
    const first = await createPayout(deps, p, input, key);
    const again = await createPayout(deps, p, input, key);
    expect(again.id).toBe(first.id);
    expect(await codeOf(createPayout(deps, p, { ...input, amount: 1_001n }, key))).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await available(p, account)).toBe(9_000n);
    expect((await footprint(p.tenantId)).payouts).toBe(1);
  });
});

describe("the lifecycle", () => {
  it("goes PENDING -> IN_TRANSIT -> PAID on schedule, and PAID moves no customer balance", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const payout = await createPayout(
      deps,
      p,
      { accountId: account, amount: 4_000n, currency: USD, method: "STANDARD", destinationId: await bank(p, account) },
      randomUUID(),
    );
    expect(await advance(p, 0)).toEqual([]); // not due for an hour
    expect((await advance(p, 1.1)).map((x) => [x.id, x.status])).toEqual([[payout.id, "IN_TRANSIT"]]);
    expect(await advance(p, 1.5)).toEqual([]); // the next step is an hour after sending
    expect((await advance(p, 2.5)).map((x) => x.status)).toEqual(["PAID"]);
    expect(await advance(p, 10)).toEqual([]);
    expect(await findPayout(deps, p, payout.id)).toMatchObject({ status: "PAID", failureCode: null, reversalBalanceTransactionId: null });
    expect(await available(p, account)).toBe(6_000n);
    expect(await deps.db.prisma.ledgerTransaction.count({ where: { tenantId: p.tenantId, kind: { startsWith: "PAYOUT" } } })).toBe(1);
  });

  it.each([
    ["000111111116", "no_account"],
    ["000111111113", "account_closed"],
    ["000222222227", "insufficient_funds"],
  ])("fails a payout to test account %s with %s and credits amount and fee back", async (accountNumber, code) => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const payout = await createPayout(
      deps,
      p,
      { accountId: account, amount: 3_000n, currency: USD, method: "INSTANT", destinationId: await bank(p, account, accountNumber) },
      randomUUID(),
    );
    expect(await available(p, account)).toBe(10_000n - 3_050n);
    await advance(p, 1.1);
    expect(await available(p, account)).toBe(10_000n - 3_050n); // in transit: still out
    await advance(p, 2.5);
    const failed = await findPayout(deps, p, payout.id);
    expect(failed).toMatchObject({ status: "FAILED", failureCode: code, failureMessage: expect.any(String) });
    expect(await available(p, account)).toBe(10_000n);
    const bt = await deps.db.prisma.balanceTransaction.findUniqueOrThrow({ where: { id: failed.reversalBalanceTransactionId! } });
    expect({ type: bt.type, amount: bt.amount.toFixed(), net: bt.net.toFixed(), sourceId: bt.sourceId }).toEqual({
      type: "PAYOUT_FAILURE",
      amount: "3050",
      net: "3050",
      sourceId: payout.id,
    });
    const reversal = await deps.db.prisma.ledgerTransaction.findFirstOrThrow({ where: { tenantId: p.tenantId, kind: "PAYOUT_FAILURE" } });
    expect(reversal.reversesId).toBe(payout.ledgerTransactionId);
    expect(await deps.db.prisma.balanceEvent.count({ where: { accountId: account, balanceTransactionId: bt.id } })).toBe(1);
    expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  });

  it("cancels only while pending, with a PAYOUT_CANCEL credit, idempotently", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const destinationId = await bank(p, account);
    const first = await createPayout(
      deps,
      p,
      { accountId: account, amount: 1_000n, currency: USD, method: "INSTANT", destinationId },
      randomUUID(),
    );
    const key = randomUUID();
    const canceled = await cancelPayout(deps, p, first.id, key);
    expect(canceled).toMatchObject({ status: "CANCELED", reversalBalanceTransactionId: expect.stringMatching(/^txn_/) });
    expect(await available(p, account)).toBe(10_000n);
    expect((await cancelPayout(deps, p, first.id, key)).id).toBe(first.id); // replay
    expect(await codeOf(cancelPayout(deps, p, first.id, randomUUID()))).toBe("INVALID_STATE");
    const bt = await deps.db.prisma.balanceTransaction.findUniqueOrThrow({ where: { id: canceled.reversalBalanceTransactionId! } });
    expect({ type: bt.type, amount: bt.amount.toFixed() }).toEqual({ type: "PAYOUT_CANCEL", amount: "1050" });
    expect(await advance(p, 5)).toEqual([]); // the rail leaves a canceled payout alone

    const second = await createPayout(
      deps,
      p,
      { accountId: account, amount: 1_000n, currency: USD, method: "STANDARD", destinationId },
      randomUUID(),
    );
    await advance(p, 1.1);
    const before = await footprint(p.tenantId);
    expect(await codeOf(cancelPayout(deps, p, second.id, randomUUID()))).toBe("INVALID_STATE");
    expect(await footprint(p.tenantId)).toEqual(before);
    const other = await insertPlatform(deps);
    expect(await codeOf(cancelPayout(deps, other, second.id, randomUUID()))).toBe("NOT_FOUND");
    expect(await codeOf(cancelPayout(deps, { ...p, livemode: true }, second.id, randomUUID()))).toBe("NOT_FOUND");
    expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  });

  it("cannot be written out of order: the database refuses an illegal transition or a changed amount", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const payout = await createPayout(
      deps,
      p,
      { accountId: account, amount: 1_000n, currency: USD, method: "STANDARD", destinationId: await bank(p, account) },
      randomUUID(),
    );
    await expect(deps.db.sql.query(`UPDATE payout SET status = 'PAID' WHERE id = $1`, [payout.id])).rejects.toThrow(
      /illegal payout transition/,
    );
    await expect(deps.db.sql.query(`UPDATE payout SET amount = 1 WHERE id = $1`, [payout.id])).rejects.toThrow(/immutable/);
    // To PAID first (a step skips a row another transaction holds locked, so take them until done).
    for (let hours = 1.1; (await findPayout(deps, p, payout.id)).status !== "PAID"; hours += 1.1) {
      if (hours > 12) throw new Error("the payout did not reach PAID");
      await advance(p, hours);
    }
    await expect(deps.db.sql.query(`UPDATE payout SET status = 'FAILED' WHERE id = $1`, [payout.id])).rejects.toThrow(
      /illegal payout transition/,
    );
    expect((await findPayout(deps, p, payout.id)).status).toBe("PAID");
  });
});

describe("the lifecycle template", () => {
  it("has the database guard refuse exactly the transitions the state machine refuses", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 1_000n);
    const model = await createPayout(
      deps,
      p,
      { accountId: account, amount: 1_000n, currency: USD, method: "STANDARD", destinationId: await bank(p, account) },
      randomUUID(),
    );
    // Rows in every status that no worker claims (no next step): only the raw UPDATE moves them.
    const rowIn = async (status: PayoutRecord["status"]) => {
      const id = newId("payout");
      await insertPayout(deps.db.sql, { ...model, id, status, nextStepAt: null });
      return id;
    };
    const check = await checkGuard(deps.db.sql, "payout", payoutLifecycle, rowIn);
    expect(check.disagreements).toEqual([]);
    expect(check.refused).toBe(15); // 20 pairs, 5 legal
  });

  it("posts a failed payout's reversal exactly once when its batch is rolled back by another payout's failing step", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const failing = await createPayout(
      deps,
      p,
      { accountId: account, amount: 3_000n, currency: USD, method: "STANDARD", destinationId: await bank(p, account, "000111111113") },
      randomUUID(),
    );
    await advance(p, 1.1); // IN_TRANSIT, its failure due an hour later
    // A row no step can handle (a currency the code does not know), due right after it.
    const broken = `po_broken${randomUUID().replace(/-/g, "").slice(0, 16)}`;
    await deps.db.sql.query(
      `INSERT INTO payout (id, tenant_id, livemode, account_id, destination_id, currency, amount, fee, method, status, arrival_date,
                           balance_transaction_id, ledger_transaction_id, next_step_at, step_ms)
       SELECT $1, tenant_id, livemode, account_id, 'ba_x', 'XXX', 1, 0, 'STANDARD', 'PENDING', now(), 'txn_x', 'ltx_x', next_step_at + interval '1 second', 0
         FROM payout WHERE id = $2`,
      [broken, failing.id],
    );
    const reversals = () => deps.db.prisma.ledgerTransaction.count({ where: { reversesId: failing.ledgerTransactionId } });
    try {
      // The batch: the failing payout's step (with its reversal), then the broken one's StepError: nothing commits.
      await expect(advance(p, 3)).rejects.toBeInstanceOf(StepError);
      expect((await findPayout(deps, p, failing.id)).status).toBe("IN_TRANSIT");
      expect(await reversals()).toBe(0);
      expect(await available(p, account)).toBe(7_000n);
      // One at a time, as the worker then goes: the failing payout fails once, the broken one alone is refused.
      const now = new Date(Date.now() + 3 * HOUR);
      expect((await advanceDuePayouts(deps, { now, tenantId: p.tenantId, limit: 1 })).advanced.map((x) => x.status)).toEqual(["FAILED"]);
      await expect(advanceDuePayouts(deps, { now, tenantId: p.tenantId, limit: 1 })).rejects.toMatchObject({ ids: [broken] });
      expect(await reversals()).toBe(1);
      expect(await available(p, account)).toBe(10_000n);
    } finally {
      await deps.db.sql.query(`DELETE FROM payout WHERE id = $1`, [broken]);
    }
    expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  });
});

describe("the worker", () => {
  it("keeps paying out when one payout's step keeps failing: that one is postponed, the rest advance", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 10_000n);
    const good = await createPayout(
      deps,
      p,
      { accountId: account, amount: 1_000n, currency: USD, method: "STANDARD", destinationId: await bank(p, account) },
      randomUUID(),
    );
    // A row no step can handle (a currency the code does not know), due first.
    const broken = `po_broken${randomUUID().replace(/-/g, "").slice(0, 16)}`;
    await deps.db.sql.query(
      `INSERT INTO payout (id, tenant_id, livemode, account_id, destination_id, currency, amount, fee, method, status, arrival_date,
                           balance_transaction_id, ledger_transaction_id, next_step_at, step_ms)
       VALUES ($1, $2, false, $3, 'ba_x', 'XXX', 1, 0, 'STANDARD', 'PENDING', now(), 'txn_x', 'ltx_x', now() - interval '1 minute', 0)`,
      [broken, p.tenantId, account],
    );
    await deps.db.sql.query(`UPDATE payout SET next_step_at = now(), step_ms = 0 WHERE id = $1`, [good.id]);
    const worker = startPayoutsWorker(deps, { pollMs: 10, tenantId: p.tenantId, retryAfterMs: HOUR });
    try {
      const deadline = Date.now() + 20_000;
      while ((await findPayout(deps, p, good.id)).status !== "PAID") {
        if (Date.now() > deadline) throw new Error("the good payout was held up by the broken one");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await worker.stop();
    }
    // Postponed (by this worker, or by another file's worker that met it first), still PENDING.
    const [row] = await deps.db.sql.query<{ status: string; later: boolean }>(
      `SELECT status::text AS status, next_step_at > now() AS later FROM payout WHERE id = $1`,
      [broken],
    );
    await deps.db.sql.query(`DELETE FROM payout WHERE id = $1`, [broken]);
    expect(row).toEqual({ status: "PENDING", later: true });
  });
});

describe("closing an account", () => {
  it("is refused while a payout is in flight, and allowed once it is paid", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 1_000n);
    await createPayout(
      deps,
      p,
      { accountId: account, amount: 1_000n, currency: USD, method: "STANDARD", destinationId: await bank(p, account) },
      randomUUID(),
    );
    expect(await available(p, account)).toBe(0n);
    expect(await codeOf(closeAccount(deps, p, account))).toBe("INVALID_STATE");
    await advance(p, 1.1);
    expect(await codeOf(closeAccount(deps, p, account))).toBe("INVALID_STATE");
    await advance(p, 2.5);
    expect((await closeAccount(deps, p, account)).status).toBe("CLOSED");
  });
});

describe("payouts under concurrency", () => {
  it("lets exactly the affordable payouts through when 200 race for a balance that covers 100", async () => {
    const p = await insertPlatform(deps);
    const account = await seller(p, 100n * 250n);
    const destinationId = await bank(p, account);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        createPayout(deps, p, { accountId: account, amount: 250n, currency: USD, method: "STANDARD", destinationId }, randomUUID()),
      ),
    );
    const succeeded = results.filter((r) => r.status === "fulfilled").length;
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as AppError).code] : []));
    expect(succeeded).toBe(100);
    expect(refusals).toHaveLength(100);
    expect(new Set(refusals)).toEqual(new Set(["INSUFFICIENT_FUNDS"]));
    expect(await available(p, account)).toBe(0n);
    expect(await deps.db.prisma.payout.count({ where: { tenantId: p.tenantId } })).toBe(100);
    expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  }, 120_000);

  it("advances each payout once when two workers race over the same payouts", async () => {
    const p = await insertPlatform(deps);
    const n = usesPostgres() ? 120 : 40;
    const account = await seller(p, BigInt(n) * 100n);
    const paid = await bank(p, account);
    const failing = await bank(p, account, "000111111113");
    const created = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        createPayout(
          deps,
          p,
          { accountId: account, amount: 100n, currency: USD, method: "STANDARD", destinationId: i % 4 === 0 ? failing : paid },
          randomUUID(),
        ),
      ),
    );
    const worker = async (hours: number) => {
      const seen: PayoutRecord[] = [];
      for (;;) {
        const batch = (await advanceDuePayouts(deps, { now: new Date(Date.now() + hours * HOUR), tenantId: p.tenantId, limit: 7 }))
          .advanced;
        if (batch.length === 0) return seen;
        seen.push(...batch);
      }
    };
    for (const [hours, status] of [
      [1.1, "IN_TRANSIT"],
      [2.5, null],
    ] as const) {
      const [a, b] = await Promise.all([worker(hours), worker(hours)]);
      const ids = [...a, ...b].map((x) => x.id);
      expect(ids).toHaveLength(n); // every payout advanced exactly once in this round
      expect(new Set(ids).size).toBe(n);
      if (status) expect(new Set([...a, ...b].map((x) => x.status))).toEqual(new Set([status]));
    }
    const rows = await deps.db.prisma.payout.findMany({
      where: { tenantId: p.tenantId },
      select: { id: true, status: true, destinationId: true },
    });
    expect(rows).toHaveLength(created.length);
    for (const row of rows) expect(row.status).toBe(row.destinationId === failing ? "FAILED" : "PAID");
    const failures = await deps.db.prisma.ledgerTransaction.count({ where: { tenantId: p.tenantId, kind: "PAYOUT_FAILURE" } });
    expect(failures).toBe(Math.ceil(n / 4));
    expect(await available(p, account)).toBe(BigInt(Math.ceil(n / 4)) * 100n);
    expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  }, 120_000);
});
