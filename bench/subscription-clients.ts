// The graphql-ws clients of `npm run bench:subscriptions`, on a worker thread of their own (one of
// BENCH_CLIENT_THREADS): a partner's clients run in processes of their own, so one event loop
// reading every socket must not be what the benchmark measures. The main thread writes the
// transfers and asks each thread, by message, to subscribe, to say how many of its subscribers
// still wait for events, to forget the warm-up and to report what arrived when.

import { parentPort } from "node:worker_threads";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export const SUBSCRIPTION = "subscription($id: ID!) { balanceChanged(accountId: $id) { id available { amount } account { displayName } } }";

export interface Plan {
  readonly accountId: string;
  readonly key: string;
}

/** What a subscriber received, as a thread reports it. */
export interface Received {
  readonly accountId: string;
  /** Balances received since the measurement began (after the warm-up's), as decimal strings. */
  readonly balances: string[];
  readonly arrivals: number[];
  /** How many events of its account the warm-up delivered, and how many of them out of order. */
  readonly warmedUp: number;
  readonly warmupDisordered: number;
  readonly errors: number;
  readonly names: string[];
}

export type Request =
  | { readonly type: "subscribe"; readonly url: string; readonly plan: Plan[] }
  | { readonly type: "waiting"; readonly expected: [string, number][] }
  | { readonly type: "warmedUp" }
  | { readonly type: "report" }
  | { readonly type: "dispose" };

interface Subscriber {
  readonly accountId: string;
  readonly client: Client;
  received: bigint[];
  arrivals: number[];
  warmedUp: number;
  warmupDisordered: number;
  errors: unknown[];
  names: Set<string>;
}

/** Wall-clock milliseconds, comparable with the main thread's. */
const now = () => performance.timeOrigin + performance.now();
let subscribers: Subscriber[] = [];

async function subscribeAll(url: string, plan: Plan[]): Promise<void> {
  // Open sockets in waves: the kernel's accept queue is finite.
  for (let i = 0; i < plan.length; i += 250) {
    await Promise.all(
      plan.slice(i, i + 250).map(async ({ accountId, key }) => {
        const client = createClient({
          url,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          connectionParams: { authorization: `Bearer ${key}` },
        });
        const subscriber: Subscriber = {
          accountId,
          client,
          received: [],
          arrivals: [],
          warmedUp: 0,
          warmupDisordered: 0,
          errors: [],
          names: new Set(),
        };
        subscribers.push(subscriber);
        await new Promise<void>((resolve) => {
          client.on("connected", () => resolve());
          client.subscribe<{ balanceChanged: { available: { amount: string }; account: { displayName: string } } }>(
            { query: SUBSCRIPTION, variables: { id: accountId } },
            {
              next: (result) => {
                const arrived = now();
                if (result.errors) subscriber.errors.push(result.errors);
                const event = result.data?.balanceChanged;
                if (!event) return;
                subscriber.received.push(BigInt(event.available.amount));
                subscriber.arrivals.push(arrived);
                subscriber.names.add(event.account.displayName);
              },
              error: (error) => subscriber.errors.push(error),
              complete: () => {},
            },
          );
        });
      }),
    );
  }
}

async function answer(request: Request): Promise<unknown> {
  switch (request.type) {
    case "subscribe":
      await subscribeAll(request.url, request.plan);
      return subscribers.length;
    case "waiting": {
      const expected = new Map(request.expected);
      return subscribers.filter((s) => s.received.length < (expected.get(s.accountId) ?? 0) && s.errors.length === 0).length;
    }
    case "warmedUp":
      for (const subscriber of subscribers) {
        subscriber.warmedUp = subscriber.received.length;
        subscriber.warmupDisordered = subscriber.received.filter((balance, i) => balance !== BigInt(i + 1)).length;
        subscriber.received = [];
        subscriber.arrivals = [];
      }
      return undefined;
    case "report":
      return subscribers.map((s): Received => ({
        accountId: s.accountId,
        balances: s.received.map(String),
        arrivals: s.arrivals,
        warmedUp: s.warmedUp,
        warmupDisordered: s.warmupDisordered,
        errors: s.errors.length,
        names: [...s.names],
      }));
    case "dispose":
      await Promise.all(subscribers.map((s) => s.client.dispose()));
      subscribers = [];
      return undefined;
  }
}

parentPort?.on("message", ({ id, request }: { id: number; request: Request }) => {
  answer(request).then(
    (value) => parentPort!.postMessage({ id, value }),
    (error: unknown) => parentPort!.postMessage({ id, error: String(error) }),
  );
});
