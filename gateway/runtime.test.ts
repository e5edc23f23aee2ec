import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { testConfig } from "../test/support/platform.ts";
import { buildRuntime } from "./runtime.ts";
import { LiteralPathnamePattern } from "./url-pattern.ts";

describe("the gateway's runtime", () => {
  afterEach(() => vi.restoreAllMocks());

  it("matches its probe paths without the URLPattern polyfill on a /graphql request", async () => {
    const ours = vi.spyOn(LiteralPathnamePattern.prototype, "test");
    // The implementation it extends: the polyfill on this Node (or Node's own, from 23.8).
    const polyfill = vi.spyOn(Object.getPrototypeOf(LiteralPathnamePattern.prototype) as LiteralPathnamePattern, "test");
    const runtime = buildRuntime({
      config: testConfig(),
      logger: createLogger("silent", "test"),
      plugins: [],
      subscriptions: () => {
        throw new Error("no subscriptions here");
      },
      landingPage: () => "",
    });
    try {
      const response = await runtime.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(await response.json()).toEqual({ data: { __typename: "Query" } });
      // The runtime's readiness check tested the request's URL, with ours.
      expect(ours).toHaveBeenCalled();
      expect(polyfill).not.toHaveBeenCalled();
      expect((await runtime.fetch("http://localhost/readiness")).status).toBe(200);
    } finally {
      await runtime.dispose();
    }
  });
});
