// A database restart under an open subscription, as a partner's client lives it: the client
// resumes as the README says (bench/faults/stream.ts: `after` the last event it received, or the
// `resumeAfter` of a SUBSCRIPTION_INTERRUPTED), and receives every committed event once, in
// order, each with its id. The restart comes at the worst moment, made certain rather than hoped
// for: an event has reached the gateway, whose fetch of its `account { … }` from the accounts
// subgraph is held up (a lock on the account table) when every backend is terminated. The event
// must neither arrive incomplete or without its id nor be skipped: the subscription ends before
// it (SUBSCRIPTION_INTERRUPTED), and the resumed one delivers it, whole, and what is committed
// after the database is back.
//
// Postgres only, on a database of its own: the restart would fail every other suite beside it.

import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caughtUp, compareStreams, follow } from "../bench/faults/stream.ts";
import { startPlatform, type RunningPlatform } from "../cmd/platform.ts";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { commitSeries, type EventTarget } from "./support/balance-events.ts";
import { ADMIN_API_KEY, testConfig } from "./support/platform.ts";
import { openPrivateDatabase, type PrivateDatabase } from "./support/private-database.ts";
import { positioned } from "./support/subscriptions.ts";

let database: PrivateDatabase | undefined;
let platform: RunningPlatform | undefined;
const stopFollowing = new AbortController();

beforeAll(async () => {
  database = await openPrivateDatabase("moneygraph_stream_restart");
  platform = await startPlatform({
    config: testConfig(),
    logger: pino({ level: "silent" }),
    subgraphs: SUBGRAPH_NAMES,
    gateway: true,
    ephemeralSubgraphPorts: true,
    db: database.db,
  });
});

afterAll(async () => {
  stopFollowing.abort();
  await database?.bringBack().catch(() => {});
  await platform?.stop();
  await database?.close();
});

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Commits `count` events, again if the pool handed out a connection the restart cut. */
async function commitAfterRestart(target: EventTarget, count: number, from: bigint): Promise<void> {
  await until(
    () =>
      commitSeries(database!.db, target, count, from).then(
        () => true,
        () => false,
      ),
    "events to be committed after the restart",
  );
}

describe("a database restart under an open subscription", () => {
  it("delivers every event once, in order, with its id, to a client that resumes as documented", async () => {
    const gatewayUrl = platform!.gateway!.url;
    const response = await fetch(gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_KEY}` },
      body: JSON.stringify({
        query: `mutation { createPlatform(input: { displayName: "Stream Restart", country: "US", defaultCurrency: "USD" }) { secretKey account { id } } }`,
      }),
    });
    const { secretKey, account } = ((await response.json()) as { data: { createPlatform: { secretKey: string; account: { id: string } } } })
      .data.createPlatform;
    const target: EventTarget = { tenantId: account.id, accountId: account.id };

    const ready = positioned(platform!);
    const { follower, done } = follow(() => gatewayUrl, secretKey, [account.id], stopFollowing.signal);
    await ready();
    await commitSeries(database!.db, target, 2);
    await until(() => follower.received.get(account.id)!.length === 2, "the events before the restart");

    // The next event's entity fetch waits on the lock; then the database goes away under it.
    const locker = new pg.Client({ connectionString: database!.url });
    locker.on("error", () => {}); // terminated with everyone else
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE account IN ACCESS EXCLUSIVE MODE");
    await commitSeries(database!.db, target, 1, 3n);
    await until(async () => {
      const [row] = await database!.db.sql.query<{ waiting: number }>(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return row!.waiting > 0;
    }, "the event's account to be fetched (and held up by the lock)");
    await database!.takeDown();
    await until(
      () => follower.interruptions.size > 0 || follower.broken.length > 0,
      "the subscription to end before the event it could not complete",
    );
    expect(follower.broken).toEqual([]);
    // Down for a while: the client's attempts to resume meanwhile are refused (retryable).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await database!.bringBack();
    await locker.end().catch(() => {});

    await commitAfterRestart(target, 2, 4n);
    await caughtUp(database!.db.sql, [follower], 60_000);
    stopFollowing.abort();
    await done;
    const stream = await compareStreams(database!.db.sql, [follower]);
    expect(stream.problems).toEqual([]);
    expect(stream.events).toBeGreaterThanOrEqual(5);
    expect(stream.delivered).toBe(stream.events);
    // It did end on the event it could not complete, as documented, and resumed.
    expect(follower.interruptions.get("SUBSCRIPTION_INTERRUPTED")).toBeGreaterThanOrEqual(1);
    expect(stream.resumed).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
