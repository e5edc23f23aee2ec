// Partners following `balanceChanged` through the gateway over graphql-ws (graphql-ws's own
// client), as the README tells them to: keep the id of the last event processed, and whenever
// the socket drops or the subscription ends, subscribe again with `after` that id. At the end,
// what each received is compared with the balance_event table.

import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { SqlClient } from "../../subgraphs/shared/db/database.ts";

const SUBSCRIPTION = `subscription($accountId: ID!, $after: ID) {
  balanceChanged(accountId: $accountId, after: $after) { id available { amount } account { displayName } }
}`;

export interface Follower {
  readonly key: string;
  readonly accounts: string[];
  readonly received: Map<string, string[]>;
  /** Results that carried no event id (an error instead of the event), by error code. */
  withoutCursor: number;
  readonly withoutCursorCodes: string[];
  /** Times the subscriptions had to be resumed (socket closed, subscription errored or completed). */
  resumed: number;
}

export interface StreamReport {
  readonly events: number;
  readonly delivered: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly withoutCursor: number;
  readonly resumed: number;
  /** One line per event missing, repeated or out of order, and per result without an event id. */
  readonly problems: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function follow(gatewayUrl: () => string, key: string, accounts: string[], signal: AbortSignal): { follower: Follower; done: Promise<void> } {
  const follower: Follower = { key, accounts, received: new Map(accounts.map((a) => [a, []])), withoutCursor: 0, withoutCursorCodes: [], resumed: 0 };
  const done = (async () => {
    while (!signal.aborted) {
      const client = createClient({
        url: gatewayUrl().replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${key}` },
      });
      await new Promise<void>((resolve) => {
        const end = () => {
          signal.removeEventListener("abort", end);
          resolve();
        };
        signal.addEventListener("abort", end, { once: true });
        for (const accountId of accounts) {
          const received = follower.received.get(accountId)!;
          client.subscribe<{ balanceChanged: { id: string } }>(
            { query: SUBSCRIPTION, variables: { accountId, after: received.at(-1) ?? null } },
            {
              next: (result) => {
                const id = result.data?.balanceChanged?.id;
                if (id) received.push(id);
                else {
                  follower.withoutCursor += 1;
                  follower.withoutCursorCodes.push(`${accountId} (${result.errors?.map((e) => e.extensions?.["code"]).join(", ") ?? "no error"})`);
                }
              },
              error: end,
              complete: end,
            },
          );
        }
      });
      await client.dispose();
      if (signal.aborted) break;
      follower.resumed += 1;
      await sleep(200 + Math.random() * 300);
    }
  })();
  return { follower, done };
}

async function eventsOf(sql: SqlClient, accountId: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>("SELECT id FROM balance_event WHERE account_id = $1 ORDER BY seq", [accountId]);
  return rows.map((row) => row.id);
}

/** Waits (up to `timeoutMs`) until every follower has the newest event of each of its accounts. */
export async function caughtUp(sql: SqlClient, followers: Follower[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    let behind = false;
    for (const follower of followers) {
      for (const [accountId, received] of follower.received) {
        if ((await eventsOf(sql, accountId)).at(-1) !== received.at(-1)) behind = true;
      }
    }
    if (!behind) return;
    await sleep(250);
  }
}

export async function compareStreams(sql: SqlClient, followers: Follower[]): Promise<StreamReport> {
  let events = 0, delivered = 0, missing = 0, duplicates = 0, outOfOrder = 0, withoutCursor = 0, resumed = 0;
  const problems: string[] = [];
  for (const follower of followers) {
    withoutCursor += follower.withoutCursor;
    resumed += follower.resumed;
    for (const what of follower.withoutCursorCodes) problems.push(`a result without an event id on ${what}`);
    for (const [accountId, received] of follower.received) {
      const table = await eventsOf(sql, accountId);
      const position = new Map(table.map((id, i) => [id, i]));
      events += table.length;
      delivered += received.length;
      const seen = new Set(received);
      for (const id of table.filter((id) => !seen.has(id))) problems.push(`${accountId}: ${id} missing`);
      for (const id of received.filter((id, i) => received.indexOf(id) !== i)) problems.push(`${accountId}: ${id} delivered again`);
      for (let i = 1; i < received.length; i++) {
        if ((position.get(received[i]!) ?? -1) < (position.get(received[i - 1]!) ?? -1)) {
          outOfOrder += 1;
          problems.push(`${accountId}: ${received[i]} after ${received[i - 1]}`);
        }
      }
      missing += table.filter((id) => !seen.has(id)).length;
      duplicates += received.length - seen.size;
    }
  }
  return { events, delivered, missing, duplicates, outOfOrder, withoutCursor, resumed, problems };
}
