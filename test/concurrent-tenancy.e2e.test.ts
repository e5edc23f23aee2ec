// Tenancy under concurrency: many callers sending the very same operation at the same moment
// each get their own answer. The subgraph requests behind such operations are identical text
// (`viewer` names no account: the signed principal does), so anything in the gateway that shares
// work between identical requests in flight must tell callers apart. Stock Hive Gateway's HTTP
// executor shares identical upstream requests keyed on their body, before our signature is added:
// this suite failed with most answers from another caller (over HTTP and over graphql-ws) until
// the gateway keyed that sharing on the caller's principal. That executor carries the gateway's
// requests to subgraphs over HTTP, so every test here runs twice: on this run's gateway (in-process
// or HTTP, as CI's runs set SUBGRAPH_TRANSPORT) and on a gateway of its own reaching its subgraphs
// over HTTP with sharing on (the default), which also shows that one caller's identical subgraph
// requests do share a fetch.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import { newConnectedAccount } from "./support/accounts.ts";
import { gatewayUrl, newPlatform, request, type Response, type TestTenant } from "./support/client.ts";
import { delta, scrape } from "./support/metrics.ts";
import { connect, privatePlatform, type TestWsClient } from "./support/subscriptions.ts";

interface Caller {
  readonly name: string;
  readonly key: string;
  readonly accountId: string;
  readonly livemode: boolean;
  /** The connected accounts its dashboard lists (none in live mode: they were made in test mode). */
  readonly connected: readonly string[];
}

const PAGE = `query SamePage {
  viewer {
    id
    displayName
    connectedAccounts(first: 10) { edges { node { id displayName balances { currency } } } }
    balanceTransactions(first: 5) { edges { node { id } } }
  }
}`;

interface Page {
  viewer: {
    id: string;
    displayName: string;
    connectedAccounts: { edges: { node: { id: string; displayName: string } }[] };
  };
}

let callers: Caller[];
let overHttp: RunningPlatform | undefined;

afterAll(async () => {
  await overHttp?.stop();
});

beforeAll(async () => {
  // Same database as this run's gateway, so the same keys and accounts.
  overHttp = await privatePlatform({ SUBGRAPH_TRANSPORT: "http", DEDUPLICATE_SUBGRAPH_REQUESTS: "true" });
  const platforms: [string, TestTenant][] = await Promise.all(
    ["Ada", "Ben", "Cy", "Di"].map(async (name) => [name, await newPlatform(`${name} Concurrency`)] as [string, TestTenant]),
  );
  callers = [];
  for (const [name, tenant] of platforms) {
    const connected = [
      await newConnectedAccount(tenant, { displayName: `${name}'s first seller` }),
      await newConnectedAccount(tenant, { displayName: `${name}'s second seller` }),
    ];
    callers.push({ name, key: tenant.key, accountId: tenant.accountId, livemode: false, connected });
    // The same platform in live mode is another caller: it sees none of test mode's accounts.
    callers.push({ name: `${name} (live)`, key: tenant.liveKey, accountId: tenant.accountId, livemode: true, connected: [] });
  }
});

/** What was wrong with each answer: another caller's platform or accounts, or an error. */
function misdelivered(answers: readonly { caller: Caller; answer: Response<Page> }[]): string[] {
  const wrong: string[] = [];
  for (const { caller, answer } of answers) {
    if (answer.errors) {
      wrong.push(`${caller.name} got errors ${JSON.stringify(answer.errors)}`);
      continue;
    }
    const viewer = answer.data!.viewer;
    const listed = viewer.connectedAccounts.edges.map((edge) => edge.node.id).sort();
    if (viewer.id !== caller.accountId || JSON.stringify(listed) !== JSON.stringify([...caller.connected].sort()))
      wrong.push(`${caller.name} got ${viewer.displayName} ${viewer.id} with [${listed.join(", ")}]`);
  }
  return wrong;
}

const gateways: [string, () => Promise<string>][] = [
  ["this run's gateway", gatewayUrl],
  ["a gateway sharing identical subgraph requests over HTTP", async () => overHttp!.gateway!.url],
];

describe.each(gateways)("identical operations from many callers at once, through %s", (_, urlOf) => {
  it("over HTTP: answer each caller with its own platform, mode and accounts, never another's", async () => {
    const wrong: string[] = [];
    for (let round = 0; round < 15; round++) {
      // Every caller twice per round, all in flight together.
      const answers = await Promise.all(
        [...callers, ...callers].map(async (caller) => ({
          caller,
          answer: await request<Page, never>(PAGE, undefined, { key: caller.key, url: await urlOf() }),
        })),
      );
      wrong.push(...misdelivered(answers));
    }
    expect(wrong).toEqual([]);
  });

  it("over graphql-ws (the key in connectionParams, not in a header): the same", async () => {
    const url = await urlOf();
    const sockets = callers.map((caller) => ({ caller, socket: connect(url, caller.key) }));
    try {
      const query = async (socket: TestWsClient): Promise<Response<Page>> => {
        for await (const value of socket.client.iterate<Page>({ query: PAGE }))
          return { status: 200, data: value.data, errors: value.errors as Response<Page>["errors"] };
        throw new Error("completed without a result");
      };
      const wrong: string[] = [];
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(
          [...sockets, ...sockets].map(async ({ caller, socket }) => ({ caller, answer: await query(socket) })),
        );
        wrong.push(...misdelivered(answers));
      }
      expect(wrong).toEqual([]);
    } finally {
      await Promise.all(sockets.map(({ socket }) => socket.dispose()));
    }
  });
});

describe("identical subgraph requests of one caller", () => {
  it("share one fetch while in flight, each caller still answered with its own data", async () => {
    const url = overHttp!.gateway!.url;
    const metrics = `${url.replace(/\/graphql$/, "")}/metrics`;
    const fetches = async (send: () => Promise<readonly { caller: Caller; answer: Response<Page> }[]>) => {
      const before = await scrape(metrics);
      const answers = await send();
      expect(misdelivered(answers)).toEqual([]);
      return delta(before, await scrape(metrics), "graphql_gateway_fetch_duration_count", { subgraphName: "accounts" });
    };
    // A header of its own on every request: the gateway's sharing of whole operations keys on every
    // header, so each of these runs on its own and only their subgraph requests can be shared.
    const send = (caller: Caller, nonce: string) =>
      request<Page, never>(PAGE, undefined, { key: caller.key, url, headers: { "x-test-nonce": nonce } }).then((answer) => ({
        caller,
        answer,
      }));
    const alone = await fetches(async () => [await send(callers[0]!, "alone")]);
    expect(alone).toBeGreaterThan(0);
    // Twelve at once, from three callers: shared within a caller, never across. Timing decides how
    // many overlap, so rounds go on until some sharing is seen (a busy machine only overlaps more).
    const burst = [0, 2, 4].flatMap((index) => Array.from({ length: 4 }, () => callers[index]!));
    let fewest = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 20 && fewest >= alone * burst.length; round++) {
      fewest = Math.min(fewest, await fetches(() => Promise.all(burst.map((caller, i) => send(caller, `${round}-${i}`)))));
    }
    expect(fewest).toBeLessThan(alone * burst.length);
    // Never below one fetch per caller: three callers' requests are three different principals.
    expect(fewest).toBeGreaterThanOrEqual(alone * 3);
  });
});
