// Tenancy under concurrency: many callers sending the very same operation at the same moment
// each get their own answer. The subgraph requests behind such operations are identical text
// (`viewer` names no account: the signed principal does), so anything in the gateway that shares
// work between identical requests in flight must tell callers apart. Stock Hive Gateway's HTTP
// executor shares identical upstream requests, keyed before our signature is added: this suite
// failed with 90 % of answers from another platform until the gateway turned that off.

import { beforeAll, describe, expect, it } from "vitest";
import { newConnectedAccount } from "./support/accounts.ts";
import { newPlatform, request, type TestTenant } from "./support/client.ts";

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

describe("identical operations from many callers at once", () => {
  it("answer each caller with its own platform, mode and accounts, never another's", async () => {
    const wrong: string[] = [];
    for (let round = 0; round < 15; round++) {
      // Every caller twice per round, all in flight together.
      const answers = await Promise.all(
        [...callers, ...callers].map(async (caller) => ({
          caller,
          answer: await request<Page, never>(PAGE, undefined, { key: caller.key }),
        })),
      );
      for (const { caller, answer } of answers) {
        expect(answer.errors, caller.name).toBeUndefined();
        const viewer = answer.data!.viewer;
        const listed = viewer.connectedAccounts.edges.map((edge) => edge.node.id).sort();
        if (viewer.id !== caller.accountId || JSON.stringify(listed) !== JSON.stringify([...caller.connected].sort()))
          wrong.push(`${caller.name} got ${viewer.displayName} ${viewer.id} with [${listed.join(", ")}]`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
