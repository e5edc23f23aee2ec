import { afterEach, describe, expect, it, vi } from "vitest";
import { URLPattern as Polyfill } from "urlpattern-polyfill/urlpattern";
import { LiteralPathnamePattern } from "./url-pattern.ts";

const PATTERNS = [
  // What the runtime and Yoga build: one literal pathname.
  { pathname: "/readiness" },
  { pathname: "/graphql" },
  { pathname: "/healthcheck" },
  { pathname: "/" },
  { pathname: "/a/b" },
  // Literal text the URL parser would write otherwise, and patterns with syntax: the polyfill's.
  { pathname: "/é" },
  { pathname: "/a/../readiness" },
  { pathname: "/users/:id" },
  { pathname: "/graphql/*" },
  { pathname: "/graphql{/}?" },
  { pathname: "/(readiness|graphql)" },
  { pathname: "/readiness", search: "x=1" },
  { hostname: "example.com", pathname: "/readiness" },
];

const URLS = [
  "http://localhost/readiness",
  "https://gateway.example.com:8443/readiness",
  "http://localhost/readiness/",
  "http://localhost/Readiness",
  "http://localhost/readiness?x=1",
  "http://localhost/readiness#top",
  "http://localhost/%72eadiness",
  "http://localhost/a/../readiness",
  "http://localhost/graphql",
  "http://localhost/graphql/",
  "http://localhost/graphql/extra",
  "http://localhost/healthcheck",
  "http://localhost/",
  "http://localhost",
  "http://localhost/a/b",
  "http://localhost/a//b",
  "http://localhost/é",
  "http://localhost/users/42",
  "http://example.com/readiness",
];

describe("LiteralPathnamePattern", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers every test as the polyfill does, URL objects and strings alike", () => {
    for (const init of PATTERNS) {
      const ours = new LiteralPathnamePattern(init);
      const theirs = new Polyfill(init);
      for (const url of URLS) {
        const expected = theirs.test(url);
        expect(ours.test(new URL(url)), `${JSON.stringify(init)} against URL ${url}`).toBe(expected);
        expect(ours.test(url), `${JSON.stringify(init)} against "${url}"`).toBe(expected);
      }
      expect(ours.test({ pathname: "/readiness" })).toBe(theirs.test({ pathname: "/readiness" }));
      expect(ours.test("/readiness", "http://localhost")).toBe(theirs.test("/readiness", "http://localhost"));
    }
  });

  it("matches a literal pathname against a URL without the polyfill's matcher", () => {
    const pattern = new LiteralPathnamePattern({ pathname: "/readiness" });
    const matcher = vi.spyOn(Object.getPrototypeOf(LiteralPathnamePattern.prototype) as Polyfill, "test");
    expect(pattern.test(new URL("http://localhost/graphql"))).toBe(false);
    expect(pattern.test(new URL("http://localhost/readiness"))).toBe(true);
    expect(matcher).not.toHaveBeenCalled();
    // Anything else is still the polyfill's to answer.
    expect(new LiteralPathnamePattern({ pathname: "/users/:id" }).test(new URL("http://localhost/users/7"))).toBe(true);
    expect(matcher).toHaveBeenCalledTimes(1);
  });

  it("leaves a pattern with a base URL or options to the polyfill, options included", () => {
    const options = { ignoreCase: true } as unknown as string;
    for (const url of ["http://localhost/Readiness", "http://localhost/readiness", "http://localhost/graphql"]) {
      expect(new LiteralPathnamePattern({ pathname: "/readiness" }, options).test(new URL(url)), url).toBe(
        new Polyfill({ pathname: "/readiness" }, options).test(url),
      );
      expect(new LiteralPathnamePattern("/readiness", "http://localhost").test(new URL(url)), url).toBe(
        new Polyfill("/readiness", "http://localhost").test(url),
      );
    }
    expect(new LiteralPathnamePattern({ pathname: "/readiness" }, options).test(new URL("http://localhost/Readiness"))).toBe(true);
  });

  it("keeps the pattern's parts readable, as the polyfill gives them", () => {
    const ours = new LiteralPathnamePattern({ pathname: "/readiness" });
    const theirs = new Polyfill({ pathname: "/readiness" });
    expect([ours.protocol, ours.hostname, ours.pathname, ours.search]).toEqual([
      theirs.protocol,
      theirs.hostname,
      theirs.pathname,
      theirs.search,
    ]);
    expect(ours.exec(new URL("http://localhost/readiness") as never)?.pathname.input).toBe("/readiness");
  });
});
