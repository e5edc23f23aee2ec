// The URLPattern the gateway's runtime is given (its `fetchAPI`). Yoga's readiness check, which
// Hive Gateway's runtime always installs, tests every request's URL against a pattern of its
// path ("/readiness") once its cheap comparisons have failed: on every /graphql request. On Node
// before 23.8 URLPattern is urlpattern-polyfill, which runs each component of the URL through
// URL objects of its own and a regular expression on every test: 1.3 % of the all-in-one's CPU
// per transfer through the gateway in a profile.
//
// The runtime and Yoga build only patterns of one literal pathname, and such a pattern matches a
// URL exactly when the URL's pathname is that text (URLPattern compares the pathname as the URL
// parser left it, case-sensitively). This class answers those tests by that comparison and
// leaves everything else, any pattern with syntax and any input that is not a URL, to the
// implementation it extends, so it answers as that one does (url-pattern.test.ts checks both).

import { URLPattern as Polyfill } from "urlpattern-polyfill/urlpattern";

type URLPatternInput = ConstructorParameters<typeof Polyfill>[0];

/** Node's own where it has one (23.8 and later), else the polyfill (as Yoga's fetchAPI chooses). */
const Base: typeof Polyfill = (globalThis as { URLPattern?: typeof Polyfill }).URLPattern ?? Polyfill;

/** Characters with a meaning in a pathname pattern; a pathname without them matches only itself. */
const PATTERN_SYNTAX = /[:*(){}?+\\]/;

function literalPathname(input: URLPatternInput | undefined): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const keys = Object.keys(input);
  const pathname = (input as { pathname?: unknown }).pathname;
  if (keys.length !== 1 || typeof pathname !== "string" || PATTERN_SYNTAX.test(pathname)) return undefined;
  // As the URL parser would have written it (percent-encoding, no dot segments): only then can
  // a URL's pathname equal it.
  return new URL(pathname, "http://localhost").pathname === pathname ? pathname : undefined;
}

export class LiteralPathnamePattern extends Base {
  readonly #literal: string | undefined;

  /** As URLPattern's: a base URL or options (ignoreCase) after the input make it the base class's to match. */
  constructor(input?: URLPatternInput, ...rest: unknown[]) {
    super(input, ...(rest as [string?]));
    this.#literal = rest.length === 0 ? literalPathname(input) : undefined;
  }

  override test(input?: URLPatternInput | URL, baseURL?: string): boolean {
    if (this.#literal !== undefined && baseURL === undefined && input instanceof URL) return input.pathname === this.#literal;
    // A URL object is what Yoga passes; the polyfill reads it as it reads an init.
    return super.test(input as URLPatternInput, baseURL);
  }
}
