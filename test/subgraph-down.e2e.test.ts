// A subgraph process that is down (killed, restarting), as a client of the gateway sees it: a
// request that needed only it answers HTTP 503 with Retry-After and SERVICE_UNAVAILABLE marked
// retryable (the retry contract: the same request, same key, a moment later); a request that
// needed it for some fields is a partial result, 200, the failed field's error retryable too.
// Once it is back, the mutation retried with its key runs, once.

import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningSubgraph } from "../subgraphs/shared/server.ts";
import { newPlatform, type GraphQLErrorJson } from "./support/client.ts";
import { privatePlatform, restartSubgraph } from "./support/subscriptions.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly data: Record<string, unknown> | null | undefined;
  readonly errors: GraphQLErrorJson[] | undefined;
}

const TOPUP = `mutation ($accountId: ID!, $key: String!) {
  createTopup(input: { accountId: $accountId, amount: "250", currency: "USD" }, idempotencyKey: $key) { id }
}`;

describe("a subgraph that is down", () => {
  it("answers 503 + Retry-After when the whole request needed it, a 200 partial result when only some fields did; both retryable", async () => {
    const platform = await privatePlatform();
    const restarted: RunningSubgraph[] = [];
    cleanups.push(async () => {
      await platform.stop();
      await Promise.all(restarted.map((subgraph) => subgraph.stop()));
    });
    const tenant = await newPlatform("Subgraph Down");
    const post = async (query: string, variables: Record<string, unknown> = {}): Promise<Answer> => {
      const response = await fetch(platform.gateway!.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${tenant.key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: GraphQLErrorJson[] };
      return { status: response.status, retryAfter: response.headers.get("retry-after"), data: body.data, errors: body.errors };
    };
    const key = randomUUID();
    let whole: Answer | undefined;
    let partial: Answer | undefined;

    restarted.push(
      await restartSubgraph(platform, "balances", async () => {
        whole = await post(TOPUP, { accountId: tenant.accountId, key });
        partial = await post(`{ viewer { id } topup(id: "tu_none") { id } }`);
      }),
    );

    expect(whole!.status).toBe(503);
    expect(whole!.retryAfter).toBe("1");
    expect(whole!.data ?? null).toBeNull();
    expect(whole!.errors?.map((error) => error.extensions)).toEqual([
      expect.objectContaining({ code: "SERVICE_UNAVAILABLE", retryable: true }),
    ]);

    expect(partial!.status).toBe(200);
    expect(partial!.retryAfter).toBeNull();
    expect(partial!.data).toEqual({ viewer: { id: tenant.accountId }, topup: null });
    expect(partial!.errors).toEqual([
      expect.objectContaining({ path: ["topup"], extensions: expect.objectContaining({ code: "SERVICE_UNAVAILABLE", retryable: true }) }),
    ]);

    // Back: the same request with the same key executes once; sent again, it replays.
    const retried = await post(TOPUP, { accountId: tenant.accountId, key });
    expect(retried.status).toBe(200);
    const id = (retried.data?.["createTopup"] as { id: string }).id;
    expect((await post(TOPUP, { accountId: tenant.accountId, key })).data).toEqual({ createTopup: { id } });
  });
});
