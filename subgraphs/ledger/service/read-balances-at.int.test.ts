// Balances at any moment, checked against the history itself: a random history (seeded, so a
// failure replays) of top-ups, settlements, transfers, payouts (some failing back) and holds,
// with the database's clock and the balances recorded after every step. Every prefix is then
// asked for: the point-in-time read must equal the balances recorded then, and a replay of the
// entries (the sum of every amount stamped at or before that moment) must equal both.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { insertPlatform, testDeps } from "../../../test/support/deps.ts";
import { databaseMicros, untilClockPasses } from "../../../test/support/database.ts";
import { insertConnectedAccount } from "../../../test/support/fixtures.ts";
import { addExternalAccount } from "../../accounts/api.ts";
import { createTopup, createTransfer, settleDueTopups } from "../../balances/api.ts";
import { advanceDuePayouts, createPayout } from "../../payouts/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError } from "../../shared/errors.ts";
import { newId, type AccountId, type Id } from "../../shared/ids.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { verifyLedger } from "../store/integrity.ts";
import { post } from "./post.ts";
import { readBalances, readBalancesAt, type AccountBalance } from "./read-balances.ts";

const USD = parseCurrency("USD")!;
const EUR = parseCurrency("EUR")!;
const HOUR = 60 * 60 * 1000;
const US_BANK = { country: "US", currency: "USD", accountHolderName: "Jane Doe", routingNumber: "110000000" };

/** mulberry32: a small seeded generator, so a failing history can be replayed by its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Snapshot = Map<AccountId, AccountBalance[]>;

interface Moment {
  readonly step: string;
  /** The database's clock_timestamp() after the step committed, in microseconds. */
  readonly micros: bigint;
  readonly balances: Snapshot;
}

interface EntryRow {
  account_id: AccountId;
  currency: string;
  kind: "AVAILABLE" | "PENDING" | "HELD";
  amount: string;
  micros: string;
  /** The entry credits a failed payout back. */
  failure: boolean;
}

/** The balances at `micros` recomputed from the entries alone, in readBalances' shape and order. */
function replay(entries: readonly EntryRow[], accountIds: readonly AccountId[], micros: bigint): Snapshot {
  const result: Snapshot = new Map(accountIds.map((id) => [id, []]));
  const byKey = new Map<string, { currency: Currency; available: bigint; pending: bigint; held: bigint }>();
  const sorted = [...entries].sort((a, b) =>
    a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : a.currency < b.currency ? -1 : 1,
  );
  for (const entry of sorted) {
    if (BigInt(entry.micros) > micros) continue;
    const key = `${entry.account_id} ${entry.currency}`;
    let balance = byKey.get(key);
    if (!balance) {
      balance = { currency: parseCurrency(entry.currency)!, available: 0n, pending: 0n, held: 0n };
      byKey.set(key, balance);
      result.get(entry.account_id)!.push(balance);
    }
    const amount = BigInt(entry.amount);
    if (entry.kind === "AVAILABLE") balance.available += amount;
    else if (entry.kind === "PENDING") balance.pending += amount;
    else balance.held += amount;
  }
  return result;
}

function plain(snapshot: Snapshot): Record<string, AccountBalance[]> {
  return Object.fromEntries(snapshot);
}

describe("balances at any moment", () => {
  let deps: Dependencies;
  let principal: PlatformPrincipal;
  let accounts: AccountId[];
  const moments: Moment[] = [];
  let entries: EntryRow[];

  const SEED = 20261130;
  const STEPS = 80;

  beforeAll(async () => {
    // Top-ups fall due in an hour: a worker of another suite on the same database (they settle
    // every tenant's due top-ups) must not settle these between a step and its record. The
    // "settle" step makes this history's top-ups due itself.
    deps = await testDeps({ SETTLEMENT_DELAY_MS: String(HOUR), PAYOUT_STEP_MS: String(HOUR) });
    principal = await insertPlatform(deps);
    const platform = principal.tenantId;
    accounts = [platform, await insertConnectedAccount({ tenantId: platform }), await insertConnectedAccount({ tenantId: platform })];
    const goodBank = (await addExternalAccount(deps, principal, platform, { ...US_BANK, accountNumber: "000123456789" }, randomUUID())).id;
    // A test account number whose payouts fail, and credit the amount and fee back.
    const failingBank = (await addExternalAccount(deps, principal, platform, { ...US_BANK, accountNumber: "000111111113" }, randomUUID()))
      .id as Id<"bankAccount">;
    const random = prng(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const amount = (max: number) => BigInt(1 + Math.floor(random() * max));
    let hours = 0;

    const record = async (step: string) => {
      const micros = await databaseMicros(deps.db.sql);
      moments.push({ step, micros, balances: await readBalances(deps.db, principal, accounts) });
      // The next step's entries must be stamped after this moment (a moment includes entries
      // stamped at it), on PGlite's millisecond clock too.
      await untilClockPasses(deps.db.sql, micros);
    };
    const hold = (accountId: AccountId, currency: Currency, value: bigint, from: "AVAILABLE" | "HELD") =>
      post(deps.db.sql, principal, [
        {
          id: newId("ledgerTransaction"),
          kind: "TEST",
          entries: [
            { accountId, currency, kind: from, amount: -value },
            { accountId, currency, kind: from === "AVAILABLE" ? "HELD" : "AVAILABLE", amount: value },
          ],
        },
      ]);

    /** What the last recorded moment says is in a balance: most amounts fit, some (one in six) do not and are refused. */
    const fitting = (accountId: AccountId, currency: Currency, kind: "available" | "held") => {
      const balances = moments.at(-1)!.balances.get(accountId) ?? [];
      const have = balances.find((b) => b.currency === currency)?.[kind] ?? 0n;
      if (have === 0n || random() < 1 / 6) return have + amount(500);
      return 1n + BigInt(Math.floor(random() * Number(have)));
    };

    await record("nothing yet");
    for (let i = 0; i < STEPS; i += 1) {
      const roll = random();
      const accountId = pick(accounts);
      const currency = accountId === platform && random() < 0.3 ? EUR : USD;
      let step: string;
      if (roll < 0.22) step = "top-up";
      else if (roll < 0.34) step = "settle";
      else if (roll < 0.48) step = "transfer";
      else if (roll < 0.6) step = "payout";
      else if (roll < 0.68) step = "advance";
      else if (roll < 0.84) step = "hold";
      else step = "release";
      try {
        switch (step) {
          case "top-up":
            await createTopup(deps, principal, { accountId, amount: amount(5_000), currency }, randomUUID());
            break;
          case "settle": {
            await deps.db.sql.query("UPDATE topup SET settles_at = now() WHERE account_id = ANY($1) AND status = 'PENDING'", [accounts]);
            await settleDueTopups(deps);
            // Settled, by this call or by another suite's worker that claimed some first (and
            // may still be committing them): wait until none is left.
            for (const deadline = Date.now() + 30_000; ;) {
              const [left] = await deps.db.sql.query<{ n: string }>(
                "SELECT count(*)::text AS n FROM topup WHERE account_id = ANY($1) AND status = 'PENDING'",
                [accounts],
              );
              if (left!.n === "0") break;
              if (Date.now() > deadline) throw new Error(`${left!.n} top-ups still pending 30 s after they fell due`);
              await settleDueTopups(deps);
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
            break;
          }
          case "transfer": {
            const destinationAccountId = pick(accounts.slice(1));
            await createTransfer(
              deps,
              principal,
              { destinationAccountId, amount: fitting(platform, USD, "available"), currency: USD },
              randomUUID(),
            );
            break;
          }
          case "payout": {
            const destinationId = random() < 0.5 ? goodBank : failingBank;
            // The fee comes on top: ask for about half of what is there.
            const value = fitting(platform, USD, "available") / 2n + 1n;
            await createPayout(
              deps,
              principal,
              { accountId: platform, amount: value, currency: USD, method: "INSTANT", destinationId },
              randomUUID(),
            );
            break;
          }
          case "advance":
            hours += 1.2;
            await advanceDuePayouts(deps, { now: new Date(Date.now() + hours * HOUR), tenantId: platform });
            break;
          case "hold":
            await hold(accountId, currency, fitting(accountId, currency, "available"), "AVAILABLE");
            break;
          default:
            await hold(accountId, currency, fitting(accountId, currency, "held"), "HELD");
        }
      } catch (error) {
        // A refused step changes nothing: still a moment to check.
        if (!(error instanceof AppError && error.code === "INSUFFICIENT_FUNDS")) throw error;
        step = `refused ${step}`;
      }
      await record(step);
    }
    entries = await deps.db.sql.query<EntryRow>(
      `SELECT la.account_id, la.currency, la.kind::text AS kind, le.amount::text AS amount,
              (extract(epoch FROM le.created_at) * 1000000)::bigint::text AS micros, lt.kind = 'PAYOUT_FAILURE' AS failure
         FROM ledger_entry le JOIN ledger_account la ON la.id = le.ledger_account_id
         JOIN ledger_transaction lt ON lt.id = le.transaction_id
        WHERE la.tenant_id = $1 AND la.kind IN ('AVAILABLE', 'PENDING', 'HELD')`,
      [platform],
    );
  }, 120_000);

  it("walked a history that moved every customer balance", () => {
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(["AVAILABLE", "PENDING", "HELD"]));
    expect(new Set(entries.map((e) => e.currency))).toEqual(new Set(["USD", "EUR"]));
    const steps = new Set(moments.map((m) => m.step));
    for (const step of ["top-up", "settle", "transfer", "payout", "advance", "hold", "release"]) expect(steps).toContain(step);
    expect([...steps].some((step) => step.startsWith("refused"))).toBe(true);
    expect(entries.some((e) => e.kind === "AVAILABLE" && BigInt(e.amount) > 0n && e.failure)).toBe(true);
  });

  it("answers every prefix of the history with the balances recorded then, and with the replay of its entries", async () => {
    for (const moment of moments) {
      const at = await readBalancesAt(deps.db, principal, accounts, moment.micros);
      expect(plain(at), `after "${moment.step}"`).toEqual(plain(moment.balances));
      expect(plain(replay(entries, accounts, moment.micros)), `replay after "${moment.step}"`).toEqual(plain(at));
    }
  });

  it("answers a moment between two entries with the earlier one's balances, inclusively at the entry's own stamp", async () => {
    const stamps = [...new Set(entries.map((e) => BigInt(e.micros)))].sort((a, b) => (a < b ? -1 : 1));
    for (const stamp of stamps.filter((_, i) => i % 7 === 0)) {
      for (const at of [stamp - 1n, stamp]) {
        expect(plain(await readBalancesAt(deps.db, principal, accounts, at))).toEqual(plain(replay(entries, accounts, at)));
      }
    }
  });

  it("answers now (a Date, as the API passes it) with today's balances", async () => {
    const latest = entries.reduce((max, e) => (BigInt(e.micros) > max ? BigInt(e.micros) : max), 0n);
    // A Date has milliseconds: wait for the millisecond after the last entry's stamp.
    await expect.poll(() => BigInt(Date.now()) * 1000n > latest).toBe(true);
    const now = await readBalancesAt(deps.db, principal, accounts, new Date());
    expect(plain(now)).toEqual(plain(await readBalances(deps.db, principal, accounts)));
    expect(now.get(principal.tenantId)!.length).toBeGreaterThan(0);
  });

  it("has currencies absent before their first entry and other tenants' accounts empty", async () => {
    expect(plain(await readBalancesAt(deps.db, principal, accounts, moments[0]!.micros))).toEqual(
      Object.fromEntries(accounts.map((id) => [id, []])),
    );
    // Long before anything, even before Postgres's timestamps begin: nothing.
    for (const before of [new Date("-100000-01-01T00:00:00Z"), -(2n ** 62n)]) {
      expect(plain(await readBalancesAt(deps.db, principal, accounts, before))).toEqual(Object.fromEntries(accounts.map((id) => [id, []])));
    }
    const other = await insertPlatform(deps);
    const seen = await readBalancesAt(deps.db, other, accounts, new Date());
    expect(plain(seen)).toEqual(Object.fromEntries(accounts.map((id) => [id, []])));
    expect((await verifyLedger(deps.db.sql, { tenantId: principal.tenantId })).ok).toBe(true);
  });
});
