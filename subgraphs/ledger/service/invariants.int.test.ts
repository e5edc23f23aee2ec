// A bank-style invariant test: many concurrent clients top up, transfer, replay and race
// duplicate requests for a bounded time, with two settlement workers running. Afterwards:
// the integrity check passes, no balance is negative, every acknowledged operation appears
// exactly once, and the money in each tenant equals what entered through top-ups.
// Real Postgres when the suite runs with DATABASE_URL (CI does); PGlite interleaves the same
// clients on its single connection.

import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { usesPostgres } from "../../../test/support/database.ts";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import { AppError } from "../../shared/errors.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { createTopup, createTransfer, startBalancesWorker } from "../../balances/api.ts";
import { verifyLedger } from "../store/integrity.ts";
import { readBalances } from "./read-balances.ts";
import type { AccountId } from "../../shared/ids.ts";

const USD = parseCurrency("USD")!;

interface Tenant {
  principal: PlatformPrincipal;
  connected: AccountId[];
}

type Acked =
  | { kind: "topup"; id: string; tenant: string; amount: bigint; key: string; accountId: AccountId }
  | { kind: "transfer"; id: string; tenant: string; amount: bigint; key: string; destination: AccountId };

const random = (n: number) => Math.floor(Math.random() * n);

describe("the ledger under concurrent load", () => {
  it("never loses, creates or duplicates money", async () => {
    const deps = await testDeps({ SETTLEMENT_DELAY_MS: "20" });
    const tenants: Tenant[] = [];
    for (let t = 0; t < 2; t++) {
      const principal = await insertPlatform(deps);
      const connected = await Promise.all(Array.from({ length: 12 }, () => insertConnectedAccount({ tenantId: principal.tenantId })));
      tenants.push({ principal, connected });
    }
    const workers = [startBalancesWorker(deps, 5), startBalancesWorker(deps, 5)];
    const acked: Acked[] = [];
    const refused = new Map<string, number>();
    const durationMs = usesPostgres() ? 6_000 : 3_000;
    const clients = usesPostgres() ? 24 : 8;
    const deadline = Date.now() + durationMs;
    // Bounded in time, but long enough to mean something on a slow or busy machine.
    const hardDeadline = deadline + 4 * durationMs;
    const enough = () => acked.filter((a) => a.kind === "topup").length >= 15 && acked.filter((a) => a.kind === "transfer").length >= 15;
    // One client's unexpected error fails the test; the others stop at once rather than go on
    // writing (into a database other test files share) with nobody settling their top-ups.
    let failed = false;
    const running = () => !failed && (Date.now() < deadline || (!enough() && Date.now() < hardDeadline));

    const client = async () => {
      try {
        await clientLoop();
      } catch (error) {
        failed = true;
        throw error;
      }
    };
    const clientLoop = async () => {
      while (running()) {
        const tenant = tenants[random(tenants.length)]!;
        const p = tenant.principal;
        const roll = random(100);
        try {
          if (roll < 30) {
            const accountId = random(3) === 0 ? p.tenantId : tenant.connected[random(tenant.connected.length)]!;
            const key = randomUUID();
            const amount = BigInt(1 + random(5_000));
            const topup = await createTopup(deps, p, { accountId, amount, currency: USD }, key);
            acked.push({ kind: "topup", id: topup.id, tenant: p.tenantId, amount, key, accountId });
          } else if (roll < 80) {
            const destination = tenant.connected[random(tenant.connected.length)]!;
            const key = randomUUID();
            const amount = BigInt(1 + random(3_000));
            const transfer = await createTransfer(deps, p, { destinationAccountId: destination, amount, currency: USD }, key);
            acked.push({ kind: "transfer", id: transfer.id, tenant: p.tenantId, amount, key, destination });
          } else if (roll < 90 && acked.length > 0) {
            // A client retry: same key, same parameters, after the first one was acknowledged.
            const previous = acked[random(acked.length)]!;
            const principal = tenants.find((t) => t.principal.tenantId === previous.tenant)!.principal;
            const replayed =
              previous.kind === "topup"
                ? await createTopup(
                    deps,
                    principal,
                    { accountId: previous.accountId, amount: previous.amount, currency: USD },
                    previous.key,
                  )
                : await createTransfer(
                    deps,
                    principal,
                    { destinationAccountId: previous.destination, amount: previous.amount, currency: USD },
                    previous.key,
                  );
            expect(replayed.id).toBe(previous.id);
          } else {
            // Two copies of one request racing: exactly one executes.
            const destination = tenant.connected[random(tenant.connected.length)]!;
            const key = randomUUID();
            const amount = BigInt(1 + random(1_000));
            const results = await Promise.allSettled(
              [0, 1].map(() => createTransfer(deps, p, { destinationAccountId: destination, amount, currency: USD }, key)),
            );
            const ids = new Set(results.flatMap((r) => (r.status === "fulfilled" ? [r.value.id] : [])));
            expect(ids.size).toBeLessThanOrEqual(1);
            for (const r of results)
              if (r.status === "rejected") expect((r.reason as AppError).code).toMatch(/IDEMPOTENCY_KEY_IN_USE|INSUFFICIENT_FUNDS/);
            const [id] = [...ids];
            if (id) acked.push({ kind: "transfer", id, tenant: p.tenantId, amount, key, destination });
          }
        } catch (error) {
          if (!(error instanceof AppError) || !["INSUFFICIENT_FUNDS", "IDEMPOTENCY_KEY_IN_USE"].includes(error.code)) throw error;
          refused.set(error.code, (refused.get(error.code) ?? 0) + 1);
        }
      }
    };
    try {
      // Every client ends before the workers stop, failing or not.
      const outcomes = await Promise.allSettled(Array.from({ length: clients }, client));
      for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
      // Let the workers settle what is still pending.
      const settleBy = Date.now() + 20_000;
      while (
        (await deps.db.prisma.topup.count({ where: { tenantId: { in: tenants.map((t) => t.principal.tenantId) }, status: "PENDING" } })) > 0
      ) {
        if (Date.now() > settleBy) throw new Error("top-ups did not settle");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }

    const topups = acked.filter((a) => a.kind === "topup");
    const transfers = acked.filter((a) => a.kind === "transfer");
    expect(topups.length).toBeGreaterThan(10);
    expect(transfers.length).toBeGreaterThan(10);

    for (const tenant of tenants) {
      const id = tenant.principal.tenantId;
      const report = await verifyLedger(deps.db.sql, { tenantId: id });
      expect(report.problems).toEqual([]);

      // Every acknowledged operation exactly once, and nothing that was not acknowledged.
      const ackedTopups = topups
        .filter((a) => a.tenant === id)
        .map((a) => a.id)
        .sort();
      const ackedTransfers = transfers
        .filter((a) => a.tenant === id)
        .map((a) => a.id)
        .sort();
      const rows = await deps.db.prisma.topup.findMany({ where: { tenantId: id }, select: { id: true } });
      expect(rows.map((r) => r.id).sort()).toEqual(ackedTopups);
      const transferRows = await deps.db.prisma.transfer.findMany({ where: { tenantId: id }, select: { id: true } });
      expect(transferRows.map((r) => r.id).sort()).toEqual([...new Set(ackedTransfers)]);
      const postings = await deps.db.prisma.ledgerTransaction.groupBy({ by: ["kind"], where: { tenantId: id }, _count: true });
      const count = (kind: string) => postings.find((p) => p.kind === kind)?._count ?? 0;
      expect(count("TOPUP")).toBe(ackedTopups.length);
      expect(count("TOPUP_SETTLEMENT")).toBe(ackedTopups.length);
      expect(count("TRANSFER")).toBe(new Set(ackedTransfers).size);

      // Money in the tenant's customer balances equals money that came in; none is negative.
      const balances = await readBalances(deps.db, tenant.principal, [id, ...tenant.connected]);
      let held = 0n;
      for (const list of balances.values()) {
        for (const b of list) {
          expect(b.available).toBeGreaterThanOrEqual(0n);
          expect(b.pending).toBe(0n);
          held += b.available + b.pending;
        }
      }
      expect(held).toBe(topups.filter((a) => a.tenant === id).reduce((sum, a) => sum + a.amount, 0n));
    }
  }, 120_000);

  it("lets exactly the affordable transfers through when 200 race for a balance that covers 100", async () => {
    const deps = await testDeps({ SETTLEMENT_DELAY_MS: "0" });
    const principal = await insertPlatform(deps);
    const sellers = await Promise.all(Array.from({ length: 20 }, () => insertConnectedAccount({ tenantId: principal.tenantId })));
    await createTopup(deps, principal, { accountId: principal.tenantId, amount: 100n * 250n, currency: USD }, randomUUID());
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        createTransfer(deps, principal, { destinationAccountId: sellers[i % sellers.length]!, amount: 250n, currency: USD }, randomUUID()),
      ),
    );
    const succeeded = results.filter((r) => r.status === "fulfilled").length;
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as AppError).code] : []));
    expect(succeeded).toBe(100);
    expect(new Set(refusals)).toEqual(new Set(["INSUFFICIENT_FUNDS"]));
    const balances = await readBalances(deps.db, principal, [principal.tenantId]);
    expect(balances.get(principal.tenantId)).toEqual([{ currency: "USD", available: 0n, pending: 0n, held: 0n }]);
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).problems).toEqual([]);
  }, 60_000);
});
