// The balance event stream against the real database: one listener however many subscribers,
// replay then live without a seam, catching up from the table after an overflow, scope
// filtering, wake-ups that never came, and ending at once when unsubscribed.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testDatabase } from "../../../test/support/database.ts";
import { commitBalanceChange, commitSeries, type EventTarget } from "../../../test/support/balance-events.ts";
import type { Database } from "../../shared/db/database.ts";
import { createLogger } from "../../shared/logger.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import type { BalanceEventRow } from "../../ledger/api.ts";
import { BalanceEventHub } from "./hub.ts";
import { streamBalanceEvents } from "./stream.ts";

let db: Database;
let listens = 0;
const hubs: BalanceEventHub[] = [];

beforeAll(async () => {
  const real = await testDatabase();
  // The same database, counting LISTEN registrations.
  db = {
    ...real,
    listen: (...args) => {
      listens += 1;
      return real.listen(...args);
    },
  };
});

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.stop()));
});

afterAll(() => {
  // The worker's database is shared; its owner closes it.
});

function hub(pollMs = 0): BalanceEventHub {
  const created = new BalanceEventHub({ db, logger: createLogger("silent", "test"), pollMs });
  hubs.push(created);
  return created;
}

function account(livemode = false): EventTarget & { scope: { tenantId: AccountId; livemode: boolean } } {
  const id = newId("account");
  return { tenantId: id, accountId: id, livemode, scope: { tenantId: id, livemode } };
}

function open(events: BalanceEventHub, target: ReturnType<typeof account>, start: bigint | "live" = "live", bufferEvents = 1_000) {
  return streamBalanceEvents({ hub: events, db, scope: target.scope, accountId: target.accountId, start, bufferEvents });
}

async function take(stream: AsyncIterator<BalanceEventRow>, count: number, timeoutMs = 10_000): Promise<BalanceEventRow[]> {
  const rows: BalanceEventRow[] = [];
  const deadline = Date.now() + timeoutMs;
  while (rows.length < count) {
    const step = await Promise.race([
      stream.next(),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), Math.max(deadline - Date.now(), 0))),
    ]);
    if (step === "timeout") throw new Error(`timed out after ${rows.length} of ${count} rows`);
    if (step.done) throw new Error(`stream ended after ${rows.length} of ${count} rows`);
    rows.push(step.value);
  }
  return rows;
}

async function joined(events: BalanceEventHub, accountId: string, count = 1) {
  const deadline = Date.now() + 10_000;
  while (events.subscriberCount(accountId, true) < count) {
    if (Date.now() > deadline) throw new Error("the stream did not join the hub");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the balance event hub", () => {
  it("listens once per process, however many accounts and subscribers", async () => {
    const events = hub();
    const before = listens;
    const [a, b] = [account(), account()];
    const streams = [open(events, a), open(events, a), open(events, b)];
    const pending = streams.map((stream) => stream.next());
    await joined(events, a.accountId, 2);
    await joined(events, b.accountId, 1);
    expect(listens - before).toBe(1);
    const [idA] = await commitSeries(db, a, 1);
    const [idB] = await commitSeries(db, b, 1);
    const firsts = await Promise.all(pending);
    expect(firsts.map((step) => step.value?.id)).toEqual([idA, idA, idB]);
    await Promise.all(streams.map((stream) => stream.return!()));
  });

  it("replays from a position, then goes live, without a gap or a duplicate at the seam", async () => {
    const events = hub();
    const target = account();
    const history = await commitSeries(db, target, 5);
    const [third] = await db.sql.query<{ seq: string }>(`SELECT seq::text AS seq FROM balance_event WHERE id = $1`, [history[2]]);
    const stream = open(events, target, BigInt(third!.seq));
    const first = stream.next();
    await joined(events, target.accountId);
    const live = await commitSeries(db, target, 3, 100n);
    const rows = [(await first).value as BalanceEventRow, ...(await take(stream, 4))];
    expect(rows.map((row) => row.id)).toEqual([...history.slice(3), ...live]);
    await stream.return!();
  });

  it("catches up from the table when a subscriber's inbox overflows, losing nothing", async () => {
    const events = hub();
    const target = account();
    const stream = open(events, target, "live", 5);
    const first = stream.next();
    await joined(events, target.accountId);
    // One commit of 60 changes: the hub hands them over at once, far beyond the inbox's 5.
    const ids = await commitBalanceChange(
      db,
      target,
      Array.from({ length: 60 }, (_, i) => ({ available: BigInt(i) })),
    );
    const rows = [(await first).value as BalanceEventRow, ...(await take(stream, 59))];
    expect(rows.map((row) => row.id)).toEqual(ids);
    const more = await commitSeries(db, target, 2, 1000n);
    expect((await take(stream, 2)).map((row) => row.id)).toEqual(more);
    await stream.return!();
  });

  it("streams only the subscriber's tenant and mode", async () => {
    const events = hub();
    const target = account();
    const stream = open(events, target, 0n);
    const first = stream.next();
    await joined(events, target.accountId);
    // The same account id under another mode and another tenant (as a forged row would be).
    await commitBalanceChange(db, { ...target, livemode: true }, [{ available: 1n }]);
    await commitBalanceChange(db, { ...target, tenantId: newId("account") }, [{ available: 2n }]);
    const [own] = await commitSeries(db, target, 1, 3n);
    expect(((await first).value as BalanceEventRow).id).toBe(own);
    // And in a replay from the start: still only its own.
    const replay = open(events, target, 0n);
    expect((await take(replay, 1)).map((row) => row.id)).toEqual([own]);
    await Promise.all([stream.return!(), replay.return!()]);
  });

  it("finds events whose wake-up never came, by re-reading periodically", async () => {
    const events = hub(100);
    const target = account();
    const stream = open(events, target);
    const first = stream.next();
    await joined(events, target.accountId);
    const [silent] = await commitBalanceChange(db, target, [{ available: 7n }], { notify: false });
    expect(((await first).value as BalanceEventRow).id).toBe(silent);
    await stream.return!();
  });

  it("ends a stream waiting on a quiet account at once when it is returned, and lets go of it", async () => {
    const events = hub();
    const target = account();
    const stream = open(events, target);
    const waiting = stream.next();
    await joined(events, target.accountId);
    const started = Date.now();
    await stream.return!();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(Date.now() - started).toBeLessThan(100);
    expect(events.subscriberCount(target.accountId)).toBe(0);
  });

  it("completes its streams when it stops", async () => {
    const events = hub();
    const target = account();
    const stream = open(events, target);
    const waiting = stream.next();
    await joined(events, target.accountId);
    await events.stop();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(events.stats()).toEqual({ accounts: 0, subscribers: 0 });
  });
});
