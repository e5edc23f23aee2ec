// Tenancy under concurrency: many callers sending the very same operation at the same moment
// each get their own answer. The subgraph requests behind such operations are identical text
// (`viewer` names no account: the signed principal does), so anything in the gateway that shares
// work between identical requests in flight must tell callers apart. Stock Hive Gateway's HTTP
// executor shares identical upstream requests, keyed before our signature is added: this suite
// failed with most answers from another caller (over HTTP and over graphql-ws) until the gateway
// turned that off. That executor carries the gateway's requests to subgraphs over HTTP: CI's run
// with SUBGRAPH_TRANSPORT=http is the one where it could share again (the in-process runs check
// the same answers without it).

import { beforeAll, describe, expect, it } from "vitest";
import { newConnectedAccount } from "./support/accounts.ts";
import { gatewayUrl, newPlatform, request, type Response, type TestTenant } from "./support/client.ts";
import { connect, type TestWsClient } from "./support/subscriptions.ts";

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

beforeAll(async () => {
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

describe("identical operations from many callers at once", () => {
  it("over HTTP: answer each caller with its own platform, mode and accounts, never another's", async () => {
    const wrong: string[] = [];
    for (let round = 0; round < 15; round++) {
      // Every caller twice per round, all in flight together.
      const answers = await Promise.all(
        [...callers, ...callers].map(async (caller) => ({
          caller,
          answer: await request<Page, never>(PAGE, undefined, { key: caller.key }),
        })),
      );
      wrong.push(...misdelivered(answers));
    }
    expect(wrong).toEqual([]);
  });

  it("over graphql-ws (the key in connectionParams, not in a header): the same", async () => {
    const url = await gatewayUrl();
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
