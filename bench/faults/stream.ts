// Partners following `balanceChanged` through the gateway over graphql-ws (graphql-ws's own
// client), as the README tells them to: keep the id of the last event processed, and whenever
// the socket drops or the subscription ends, subscribe again with `after` that id (or the
// `resumeAfter` of a SUBSCRIPTION_INTERRUPTED). A result is a whole event with its id, or a
// final, retryable error that ends the subscription; anything else (an event with errors, a
// result without an id the stream carries on after, a non-retryable error, a `resumeAfter` that
// is not the last event received) breaks the contract. At the end, what each received is compared with the balance_event table.

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
  /** Results that broke the contract: no event id, yet not a final retryable error. */
  withoutCursor: number;
  /** What broke the contract, one line each (see the header). */
  readonly broken: string[];
  /** Subscriptions ended by a final retryable error, by code (SUBSCRIPTION_INTERRUPTED, SERVICE_UNAVAILABLE…). */
  readonly interruptions: Map<string, number>;
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
  /** Subscriptions ended by a final retryable error, by code. */
  readonly interruptions: Record<string, number>;
  readonly resumed: number;
  /** One line per event missing, repeated or out of order, and per result that broke the contract. */
  readonly problems: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ResultJson {
  readonly data?: { balanceChanged?: { id?: string } | null } | null;
  readonly errors?: readonly { extensions?: Record<string, unknown> }[];
}

const codesOf = (result: ResultJson) => result.errors?.map((error) => String(error.extensions?.["code"])).join(", ") ?? "no error";

export function follow(
  gatewayUrl: () => string,
  key: string,
  accounts: string[],
  signal: AbortSignal,
): { follower: Follower; done: Promise<void> } {
  const follower: Follower = {
    key,
    accounts,
    received: new Map(accounts.map((a) => [a, []])),
    withoutCursor: 0,
    broken: [],
    interruptions: new Map(),
    resumed: 0,
  };
  // Where each account resumes when it has received nothing yet: a resumeAfter given then.
  const resumeFrom = new Map<string, string>();
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
          const after = received.at(-1) ?? resumeFrom.get(accountId) ?? null;
          let ended = false;
          client.subscribe<{ balanceChanged: { id: string } }>(
            { query: SUBSCRIPTION, variables: { accountId, after } },
            {
              next: (result: ResultJson) => {
                const id = result.data?.balanceChanged?.id;
                if (ended) follower.broken.push(`${accountId}: a result after the subscription's final error (${id ?? codesOf(result)})`);
                if (id && result.errors?.length) follower.broken.push(`${accountId}: event ${id} incomplete (${codesOf(result)})`);
                if (id) return void received.push(id);
                const final = (result.errors?.length ?? 0) > 0 && result.errors!.every((error) => error.extensions?.["retryable"] === true);
                if (!final) {
                  follower.withoutCursor += 1;
                  follower.broken.push(`${accountId}: a result without an event id (${codesOf(result)})`);
                  return;
                }
                ended = true;
                const code = codesOf(result);
                follower.interruptions.set(code, (follower.interruptions.get(code) ?? 0) + 1);
                const resumeAfter = result.errors![0]!.extensions?.["resumeAfter"];
                if (typeof resumeAfter !== "string") return;
                const last = received.at(-1) ?? after;
                if (last !== null && resumeAfter !== last)
                  follower.broken.push(`${accountId}: resumeAfter ${resumeAfter}, but the last event received was ${last}`);
                if (last === null) resumeFrom.set(accountId, resumeAfter);
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
  let events = 0,
    delivered = 0,
    missing = 0,
    duplicates = 0,
    outOfOrder = 0,
    withoutCursor = 0,
    resumed = 0;
  const problems: string[] = [];
  const interruptions: Record<string, number> = {};
  for (const follower of followers) {
    for (const [code, n] of follower.interruptions) interruptions[code] = (interruptions[code] ?? 0) + n;
    withoutCursor += follower.withoutCursor;
    resumed += follower.resumed;
    problems.push(...follower.broken);
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
  return { events, delivered, missing, duplicates, outOfOrder, withoutCursor, interruptions, resumed, problems };
}
