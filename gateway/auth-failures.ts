// Failed authentications cost the caller's address. Each distinct invalid key costs the gateway a
// call to the accounts subgraph and a database lookup, and every guess is a try at a key: so an
// address may fail at most AUTH_FAILURES_PER_MINUTE times per window (HTTP requests and graphql-ws
// connection_inits together); beyond that, any attempt to authenticate from it is refused with
// RATE_LIMITED (HTTP 429 with Retry-After, graphql-ws close 4429) before the key is looked at,
// until the window ends. Requests without a key are not attempts (Sandbox's introspection).
//
// What counts: a key refused as UNAUTHENTICATED (unknown, revoked, expired, malformed, or a
// malformed Authorization value). What does not: a key that could not be checked because the
// accounts subgraph is unavailable (503: not the caller's failure), and the periodic re-checks of
// open sockets. The address is the client's as Express sees it (`req.ip`, TRUST_PROXY); IPv6
// addresses count per /64, the block one host usually holds.
//
// rate-limiter-flexible keeps the count, in this process or shared through Redis (limit-store.ts).

import { GraphQLError } from "graphql";
import ipaddr from "ipaddr.js";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { Logger } from "../subgraphs/shared/logger.ts";
import { LimitStore } from "./limit-store.ts";

export interface AuthFailureOptions {
  /** Failures allowed per address and window; 0 turns the budget off. */
  readonly perWindow: number;
  readonly windowMs: number;
  readonly redisUrl?: string | undefined;
  /** Namespaces the Redis keys (tests running side by side). */
  readonly keyPrefix?: string;
  readonly logger: Logger;
}

export type AuthBudget = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** Whole seconds to wait (Retry-After), at least 1. */
export function retryAfterSecondsOf(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1_000));
}

// A plain IPv4 address, or one mapped into IPv6 (how a dual-stack socket reports IPv4 peers).
const DOTTED_V4 = /^(?:::ffff:)?((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})$/i;

/** The budget's key for a client address: IPv4 as it is, IPv6 by its /64. */
export function addressKey(address: string | undefined): string {
  if (!address) return "unknown";
  // The common cases without a parse (this runs on every authenticated request).
  const v4 = DOTTED_V4.exec(address);
  if (v4) return v4[1]!;
  try {
    const parsed = ipaddr.parse(address);
    if (parsed.kind() === "ipv4") return parsed.toString();
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    return `${v6.parts
      .slice(0, 4)
      .map((part) => part.toString(16))
      .join(":")}::/64`;
  } catch {
    return address;
  }
}

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof GraphQLError && error.extensions["code"] === "UNAUTHENTICATED";
}

/** True for the refusal of an address beyond its budget (tooManyFailures). */
export function isRateLimited(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && error.extensions["code"] === "RATE_LIMITED";
}

/** The refusal of an address beyond its budget (HTTP status 429). */
export function tooManyFailures(retryAfterMs: number): GraphQLError {
  return new GraphQLError(`Too many failed authentications from this address; retry after ${retryAfterSecondsOf(retryAfterMs)} s`, {
    extensions: { code: "RATE_LIMITED", retryAfterMs, http: { status: 429 } },
  });
}

export class AuthFailures {
  private readonly limiter: RateLimiterAbstract | undefined;
  private readonly store: LimitStore | undefined;

  constructor(private readonly options: AuthFailureOptions) {
    if (options.perWindow === 0) return;
    this.store = new LimitStore(options.redisUrl, options.logger);
    this.limiter = this.store.limiter({
      points: options.perWindow,
      // Redis expiries are whole seconds.
      duration: Math.max(1, Math.round(options.windowMs / 1_000)),
      keyPrefix: options.keyPrefix ?? "moneygraph:auth-failures",
    });
  }

  /** See LimitStore.ready: call it before serving. */
  async ready(timeoutMs = 2_000): Promise<void> {
    await this.store?.ready(timeoutMs);
  }

  /** Whether `address` may still try to authenticate. */
  async check(address: string | undefined): Promise<AuthBudget> {
    if (!this.limiter) return { allowed: true };
    try {
      const spent = await this.limiter.get(addressKey(address));
      if (spent && spent.consumedPoints >= this.options.perWindow) return { allowed: false, retryAfterMs: Math.max(1, spent.msBeforeNext) };
    } catch (error) {
      // Neither store could answer (should not happen: the memory one always can). Refusing would
      // lock every client out with the store; let the attempt through and say so.
      this.options.logger.error({ err: error }, "failed-authentication budget unavailable; attempt allowed");
    }
    return { allowed: true };
  }

  /** Counts one failed authentication of `address`. */
  async record(address: string | undefined): Promise<void> {
    if (!this.limiter) return;
    await this.limiter.penalty(addressKey(address)).catch((error: unknown) => {
      this.options.logger.error({ err: error }, "could not count a failed authentication");
    });
  }

  /**
   * Runs `authenticate` for a client at `address` within its budget: refused (RATE_LIMITED) before
   * it runs when the address is beyond it, counted when it fails as UNAUTHENTICATED.
   */
  async guard<T>(address: string | undefined, authenticate: () => Promise<T>): Promise<T> {
    const budget = await this.check(address);
    if (!budget.allowed) throw tooManyFailures(budget.retryAfterMs);
    try {
      return await authenticate();
    } catch (error) {
      if (isUnauthenticated(error)) await this.record(address);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}
