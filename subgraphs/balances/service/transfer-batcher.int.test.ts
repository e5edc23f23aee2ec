import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { createDependencies } from "../../dependencies.ts";
import { idOf, insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { principalScope } from "../../shared/auth/principal.ts";
import type { AppError } from "../../shared/errors.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { isUnstorableText } from "../../shared/db/errors.ts";
import { formatErrorWith } from "../../shared/graphql/errors.ts";
import { createLogger } from "../../shared/logger.ts";
import { verifyLedger, readBalances } from "../../ledger/api.ts";
import { createTopup } from "./create-topup.ts";
import { createTransfer } from "./create-transfer.ts";
import type { AccountId } from "../../shared/ids.ts";

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
      { destinationAccountId: idOf("account", "acct_unknown00000000000000000"), amount: 1n, key: randomUUID() },
      // More than the platform holds at all: refused whatever order the concurrent requests reach
      // the batcher in (300n, "more than is left after the four", raced them on Postgres).
      { destinationAccountId: good[0]!, amount: 1_001n, key: randomUUID() },
    ];
    const results = await Promise.allSettled(
      requests.map((r) =>
        createTransfer(deps, principal, { destinationAccountId: r.destinationAccountId, amount: r.amount, currency: USD }, r.key),
      ),
    );
    expect(results.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as AppError).code))).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "INVALID_STATE",
      "CURRENCY_MISMATCH",
      "NOT_FOUND",
      "INSUFFICIENT_FUNDS",
    ]);
    const balances = await readBalances(deps.db, principal, [principal.tenantId, ...good]);
    expect(balances.get(principal.tenantId)?.[0]?.available).toBe(200n);
    for (const id of good) expect(balances.get(id)?.[0]?.available).toBe(200n);

    // The refused keys were released: the same key with corrected parameters now runs.
    const retried = await createTransfer(
      deps,
      principal,
      { destinationAccountId: good[1]!, amount: 150n, currency: USD },
      requests[7]!.key,
    );
    expect(retried.amount).toBe(150n);
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });
});

describe("transfers of several platforms sharing a commit", () => {
  it("keep each platform's funds, refusals and tenancy apart", async () => {
    const deps = await testDeps();
    const platforms = await Promise.all([0, 1, 2].map(() => insertPlatform(deps)));
    const sellers = await Promise.all(
      platforms.map((p) => Promise.all([0, 1].map(() => insertConnectedAccount({ tenantId: p.tenantId })))),
    );
    // Platform 0 holds 500, platform 1 holds 100, platform 2 nothing.
    await createTopup(deps, platforms[0]!, { accountId: platforms[0]!.tenantId, amount: 500n, currency: USD }, randomUUID());
    await createTopup(deps, platforms[1]!, { accountId: platforms[1]!.tenantId, amount: 100n, currency: USD }, randomUUID());

    const requests = [
      { platform: 0, destination: sellers[0]![0]!, amount: 200n },
      { platform: 1, destination: sellers[1]![0]!, amount: 60n },
      { platform: 2, destination: sellers[2]![0]!, amount: 1n },
      { platform: 0, destination: sellers[0]![1]!, amount: 200n },
      // Another platform's connected account: not found for this caller.
      { platform: 1, destination: sellers[0]![0]!, amount: 1n },
      // More than platform 1 ever held.
      { platform: 1, destination: sellers[1]![1]!, amount: 101n },
      { platform: 0, destination: sellers[0]![0]!, amount: 100n },
    ];
    const results = await Promise.allSettled(
      requests.map((r) =>
        createTransfer(
          deps,
          platforms[r.platform]!,
          { destinationAccountId: r.destination, amount: r.amount, currency: USD },
          randomUUID(),
        ),
      ),
    );
    expect(results.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as AppError).code))).toEqual([
      "ok",
      "ok",
      "INSUFFICIENT_FUNDS",
      "ok",
      "NOT_FOUND",
      "INSUFFICIENT_FUNDS",
      "ok",
    ]);
    const balanceOf = async (p: number, account: AccountId) =>
      (await readBalances(deps.db, platforms[p]!, [account])).get(account)?.[0]?.available ?? 0n;
    expect(await balanceOf(0, platforms[0]!.tenantId)).toBe(0n);
    expect(await balanceOf(0, sellers[0]![0]!)).toBe(300n);
    expect(await balanceOf(0, sellers[0]![1]!)).toBe(200n);
    expect(await balanceOf(1, platforms[1]!.tenantId)).toBe(40n);
    expect(await balanceOf(1, sellers[1]![0]!)).toBe(60n);

    // Each transfer row belongs to the caller's tenant.
    const ids = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.id] : []));
    const rows = await deps.db.sql.query<{ tenant_id: string; source_account_id: string }>(
      "SELECT tenant_id, source_account_id FROM transfer WHERE id = ANY($1::varchar[])",
      [ids],
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.tenant_id).toBe(row.source_account_id);
    for (const p of platforms) expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  });

  it("share one commit when they arrive together", async () => {
    const deps = await testDeps();
    const platforms = await Promise.all([0, 1].map(() => insertPlatform(deps)));
    const sellers = await Promise.all(platforms.map((p) => insertConnectedAccount({ tenantId: p.tenantId })));
    for (const p of platforms) await createTopup(deps, p, { accountId: p.tenantId, amount: 100n, currency: USD }, randomUUID());
    // All transfers in one tick: the batch is taken a turn of the event loop after the first
    // arrives, so all five share it. New keys need no statement before the batch.
    const keys = [0, 1, 0, 1, 0].map(() => randomUUID());
    const records = await Promise.all(
      [0, 1, 0, 1, 0].map((p, i) =>
        createTransfer(deps, platforms[p]!, { destinationAccountId: sellers[p]!, amount: 10n, currency: USD }, keys[i]!),
      ),
    );
    const rows = await deps.db.sql.query<{ id: string; tenant_id: string; commit: string }>(
      "SELECT id, tenant_id, xmin::text AS commit FROM transfer WHERE id = ANY($1::varchar[])",
      [records.map((r) => r.id)],
    );
    const commits = new Map<string, Set<string>>();
    for (const row of rows) commits.set(row.commit, (commits.get(row.commit) ?? new Set()).add(row.tenant_id));
    expect([...commits.values()].map((tenants) => tenants.size)).toEqual([2]);
    // Each key was written, completed with its transfer, in that transfer's commit.
    const written = await deps.db.sql.query<{ key: string; status: string; response: { transferId: string }; commit: string }>(
      "SELECT key, status::text AS status, response, xmin::text AS commit FROM idempotency_key WHERE key = ANY($1::text[])",
      [keys],
    );
    const commitOf = new Map(rows.map((row) => [row.id, row.commit]));
    expect(written).toHaveLength(5);
    for (const row of written) {
      expect(row.status).toBe("COMPLETED");
      const transfer = records[(keys as string[]).indexOf(row.key)]!;
      expect(row.response).toEqual({ transferId: transfer.id });
      expect(row.commit).toBe(commitOf.get(transfer.id));
    }
    for (const p of platforms) expect((await readBalances(deps.db, p, [p.tenantId])).get(p.tenantId)?.[0]?.available).toBeLessThan(100n);
    for (const p of platforms) expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  });

  it("keep sharing one commit when their callers send the next as soon as they are answered", async () => {
    const deps = await testDeps();
    const platform = await insertPlatform(deps);
    const seller = await insertConnectedAccount({ tenantId: platform.tenantId });
    await createTopup(deps, platform, { accountId: platform.tenantId, amount: 1_000n, currency: USD }, randomUUID());
    // Eight callers, five transfers each, one after another. Were the batch taken the moment the
    // first arrived, they would split into cohorts taking turns (one of 1 and one of 7 here),
    // each commit carrying only part of them.
    const ids = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async () => {
        const mine: string[] = [];
        for (let round = 0; round < 5; round++) {
          const transfer = await createTransfer(deps, platform, { destinationAccountId: seller, amount: 1n, currency: USD }, randomUUID());
          mine.push(transfer.id);
        }
        return mine;
      }),
    );
    const rows = await deps.db.sql.query<{ commit: string; transfers: number }>(
      "SELECT xmin::text AS commit, count(*)::int AS transfers FROM transfer WHERE id = ANY($1::varchar[]) GROUP BY xmin::text",
      [ids.flat()],
    );
    expect(rows.map((row) => row.transfers)).toEqual([8, 8, 8, 8, 8]);
  });

  it("fail alone when their data cannot be stored: one platform's poisoned transfer never fails another's", async () => {
    const deps = await testDeps();
    const platforms = await Promise.all([0, 1, 2].map(() => insertPlatform(deps)));
    const sellers = await Promise.all(platforms.map((p) => insertConnectedAccount({ tenantId: p.tenantId })));
    for (const p of platforms) await createTopup(deps, p, { accountId: p.tenantId, amount: 1_000n, currency: USD }, randomUUID());
    // The edge and the domain refuse such text (see shared/text.ts); handed to the batcher
    // directly, it stands for whatever data a check may one day miss.
    const poisoned = "refund \ud800 for order 7";
    const plan = [
      { p: 0, description: undefined },
      { p: 1, description: "ok" },
      { p: 0, description: poisoned },
      { p: 2, description: undefined },
      { p: 1, description: undefined },
      { p: 2, description: "fine too" },
      { p: 0, description: undefined },
    ];
    // Every other key claimed before (the way back for a key found used), the rest new, the
    // poisoned one among them: both kinds share the batches.
    const requests = await Promise.all(
      plan.map(async ({ p, description }, i) => {
        const principal = platforms[p]!;
        const idempotencyKey = randomUUID();
        const transfer = {
          principal,
          destinationAccountId: sellers[p]!,
          money: { amount: 100n, currency: USD },
          description,
          idempotencyKey,
        };
        if (i % 2 === 0) return { ...transfer, key: { fingerprint: "test" } };
        const claim = await deps.idempotency.claim({
          scope: principalScope(principal),
          key: idempotencyKey,
          operation: "test",
          params: {},
        });
        if (claim.kind !== "claimed") throw new Error("not claimed");
        return { ...transfer, key: { claimToken: claim.token } };
      }),
    );
    // All in one tick: the first commits alone, the other six share the next commit.
    const batcher = deps.balances.transfers;
    const results = await Promise.allSettled(requests.map((request) => batcher.submit(request)));
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    const failure = (results[2] as PromiseRejectedResult).reason;
    expect(isUnstorableText(failure)).toBe(true);
    // What a client sees of it: a typed refusal, not an internal error.
    expect(formatErrorWith(createLogger("silent", "test"))({ message: "x" }, failure).extensions?.["code"]).toBe("BAD_USER_INPUT");

    const balanceOf = async (p: number, account: AccountId) =>
      (await readBalances(deps.db, platforms[p]!, [account])).get(account)?.[0]?.available ?? 0n;
    expect(await balanceOf(0, platforms[0]!.tenantId)).toBe(800n);
    expect(await balanceOf(0, sellers[0]!)).toBe(200n);
    expect(await balanceOf(1, sellers[1]!)).toBe(200n);
    expect(await balanceOf(2, sellers[2]!)).toBe(200n);
    // The poisoned transfer left nothing behind, and its key was released for a corrected retry.
    const stored = await deps.db.sql.query("SELECT 1 FROM transfer WHERE tenant_id = $1 AND description LIKE 'refund%'", [
      platforms[0]!.tenantId,
    ]);
    expect(stored).toEqual([]);
    const retried = await createTransfer(
      deps,
      platforms[0]!,
      { destinationAccountId: sellers[0]!, amount: 100n, currency: USD, description: "refund for order 7" },
      requests[2]!.idempotencyKey,
    );
    expect(retried.description).toBe("refund for order 7");
    for (const p of platforms) expect((await verifyLedger(deps.db.sql, { tenantId: p.tenantId })).problems).toEqual([]);
  });
});

/** A platform holding 100 USD, and one connected account of it. */
async function fundedPlatform() {
  const deps = await testDeps();
  const principal = await insertPlatform(deps);
  const seller = await insertConnectedAccount({ tenantId: principal.tenantId });
  await createTopup(deps, principal, { accountId: principal.tenantId, amount: 100n, currency: USD }, randomUUID());
  return { deps, principal, seller };
}

describe("idempotency keys written in the transfer's commit", () => {
  it("replay the first transfer, refuse other parameters, and move the money once", async () => {
    const { deps, principal, seller } = await fundedPlatform();
    const key = randomUUID();
    const input = { destinationAccountId: seller, amount: 30n, currency: USD, description: "order 1" };
    const first = await createTransfer(deps, principal, input, key);
    const replay = await createTransfer(deps, principal, input, key);
    expect(replay).toEqual(first);
    const reused = await createTransfer(deps, principal, { ...input, amount: 31n }, key).catch((error: AppError) => error);
    expect((reused as AppError).code).toBe("IDEMPOTENCY_KEY_REUSED");
    const balances = await readBalances(deps.db, principal, [principal.tenantId, seller]);
    expect(balances.get(principal.tenantId)?.[0]?.available).toBe(70n);
    expect(balances.get(seller)?.[0]?.available).toBe(30n);
  });

  it("move the money once for concurrent duplicates, in one batch or two processes, and answer each the same transfer", async () => {
    const deps = await testDeps();
    const other = createDependencies(deps.db, deps.config, deps.logger);
    try {
      const principal = await insertPlatform(deps);
      const sellers = await Promise.all([0, 1, 2].map(() => insertConnectedAccount({ tenantId: principal.tenantId })));
      await createTopup(deps, principal, { accountId: principal.tenantId, amount: 1_000n, currency: USD }, randomUUID());
      // Each key sent three times at once to one process and twice to the other, among the others.
      const keys = sellers.map(() => randomUUID());
      const sends = [0, 1, 2].flatMap((round) =>
        sellers.map((seller, s) =>
          createTransfer(round === 1 ? other : deps, principal, { destinationAccountId: seller, amount: 10n, currency: USD }, keys[s]!),
        ),
      );
      const more = sellers.map((seller, s) =>
        createTransfer(s === 1 ? other : deps, principal, { destinationAccountId: seller, amount: 10n, currency: USD }, keys[s]!),
      );
      const answers = await Promise.all([...sends, ...more]);
      for (const [i, answer] of answers.entries()) expect(answer.id).toBe(answers[i % sellers.length]!.id);
      const stored = await deps.db.sql.query("SELECT 1 FROM transfer WHERE tenant_id = $1", [principal.tenantId]);
      expect(stored).toHaveLength(3);
      const balances = await readBalances(deps.db, principal, [principal.tenantId]);
      expect(balances.get(principal.tenantId)?.[0]?.available).toBe(970n);
    } finally {
      await other.stop();
    }
  });

  it("take over a key past its 24 hours through a claim, completed with the new transfer", async () => {
    const { deps, principal, seller } = await fundedPlatform();
    const key = randomUUID();
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await deps.db.sql.query(
      `INSERT INTO idempotency_key (scope, key, operation, fingerprint, status, response, claim_token, locked_until, created_at, expires_at)
       VALUES ($1, $2, 'createPayout', 'old', 'COMPLETED', '{"payoutId": "po_old"}', 'old', $3, $3, $4)`,
      [principalScope(principal), key, dayAgo, new Date(Date.now() - 60 * 60 * 1000)],
    );
    const transfer = await createTransfer(deps, principal, { destinationAccountId: seller, amount: 5n, currency: USD }, key);
    const [row] = await deps.db.sql.query<{ operation: string; status: string; response: unknown }>(
      "SELECT operation, status::text AS status, response FROM idempotency_key WHERE scope = $1 AND key = $2",
      [principalScope(principal), key],
    );
    expect(row).toEqual({ operation: "createTransfer", status: "COMPLETED", response: { transferId: transfer.id } });
  });

  it("answer IDEMPOTENCY_KEY_IN_USE while another request holds the key, and move nothing", async () => {
    const { deps, principal, seller } = await fundedPlatform();
    const key = randomUUID();
    const input = { destinationAccountId: seller, amount: 5n, currency: USD };
    // As if the first request were running in another process: its claim, fresh and unfinished.
    const elsewhere = await deps.idempotency.claim({ scope: principalScope(principal), key, operation: "createTransfer", params: input });
    expect(elsewhere.kind).toBe("claimed");
    const answer = await createTransfer(deps, principal, input, key).catch((error: AppError) => error);
    expect((answer as AppError).code).toBe("IDEMPOTENCY_KEY_IN_USE");
    expect(await deps.db.sql.query("SELECT 1 FROM transfer WHERE tenant_id = $1", [principal.tenantId])).toEqual([]);
    if (elsewhere.kind === "claimed") await deps.idempotency.release({ scope: principalScope(principal), key }, elsewhere.token);
  });
});

describe("the transfer batcher's life", () => {
  it("is built with the dependencies and shared by their copies", async () => {
    const deps = await testDeps();
    const copy = { ...deps, config: { ...deps.config } };
    expect(copy.balances.transfers).toBe(deps.balances.transfers);
    const other = createDependencies(deps.db, deps.config, deps.logger);
    expect(other.balances.transfers).not.toBe(deps.balances.transfers);
    await other.stop();
  });

  it("commits every transfer it holds before the dependencies stop, then refuses new ones with their keys released", async () => {
    const shared = await testDeps();
    const deps = createDependencies(shared.db, shared.config, shared.logger);
    const principal = await insertPlatform(deps);
    const sellers = await Promise.all([0, 1, 2].map(() => insertConnectedAccount({ tenantId: principal.tenantId })));
    await createTopup(deps, principal, { accountId: principal.tenantId, amount: 1_000n, currency: USD }, randomUUID());

    // Queued at once (a new key needs no statement first), none committed yet when stop is called.
    const submitted = [...sellers, ...sellers].map((destinationAccountId) =>
      createTransfer(deps, principal, { destinationAccountId, amount: 10n, currency: USD }, randomUUID()),
    );
    await deps.stop();
    // Stopped means drained: every queued transfer has committed by now.
    const stored = await deps.db.sql.query("SELECT 1 FROM transfer WHERE tenant_id = $1", [principal.tenantId]);
    expect(stored).toHaveLength(6);
    const settled = await Promise.allSettled(submitted);
    expect(settled.map((result) => result.status)).toEqual(submitted.map(() => "fulfilled"));

    const key = randomUUID();
    const late = await createTransfer(deps, principal, { destinationAccountId: sellers[0]!, amount: 10n, currency: USD }, key).catch(
      (error: AppError) => error,
    );
    expect((late as AppError).code).toBe("SERVICE_UNAVAILABLE");
    // Nothing ran: the same key goes through on a running process.
    const retried = await createTransfer(shared, principal, { destinationAccountId: sellers[0]!, amount: 10n, currency: USD }, key);
    expect(retried.amount).toBe(10n);
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  });
});
