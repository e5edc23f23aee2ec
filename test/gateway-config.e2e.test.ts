// The gateway serves whatever composed supergraph its configuration names (SUPERGRAPH_PATH), with
// each subgraph reached at its configured URL rather than the one written in the supergraph.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../gateway/server.ts";
import { newPlatform, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { extraGateway } from "./support/subscriptions.ts";

const dir = mkdtempSync(join(tmpdir(), "moneygraph-supergraph-"));
let gateway: RunningGateway;
let tenant: TestTenant;

beforeAll(async () => {
  // A supergraph of the accounts subgraph alone, routed (in the file) to a host that does not exist.
  const composed = composeServices([
    {
      name: "accounts",
      url: "http://accounts.invalid/graphql",
      typeDefs: parse(readFileSync(new URL("../schema/accounts.graphql", import.meta.url), "utf8")),
    },
  ]);
  if (!composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((error) => error.message).join("; ")}`);
  const path = join(dir, "supergraph.graphql");
  writeFileSync(path, composed.supergraphSdl);
  const platform = await testPlatform();
  gateway = await extraGateway(platform, { SUPERGRAPH_PATH: path });
  tenant = await newPlatform("Accounts Only");
});

afterAll(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function query(text: string) {
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tenant.key}` },
    body: JSON.stringify({ query: text }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
}

describe("SUPERGRAPH_PATH and per-subgraph URLs", () => {
  it("serves the configured supergraph, reaching its subgraph at the configured URL", async () => {
    const answer = await query("{ viewer { id displayName } }");
    expect(answer.body).toEqual({ data: { viewer: { id: tenant.accountId, displayName: "Accounts Only" } } });
  });

  it("knows only that supergraph's fields", async () => {
    const answer = await query("{ viewer { balances { currency } } }");
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  });
});
