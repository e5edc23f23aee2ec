// Request rate limits at the edge, per tenant and mode (a platform's test and live keys count
// apart, like their data), with rate-limiter-flexible: a fixed one-second window of
// RATE_LIMIT_PER_SECOND requests. HTTP requests and graphql-ws operations (queries, mutations,
// subscription starts) each count one; events delivered on a subscription do not. Requests
// without a key (Sandbox's introspection) count per client address.
//
// Counted in this process, or, with RATE_LIMIT_REDIS_URL, in Redis (see limit-store.ts).

import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { GraphQLError } from "graphql";
import type { Principal } from "../subgraphs/shared/auth/principal.ts";
import type { Logger } from "../subgraphs/shared/logger.ts";
import { LimitStore } from "./limit-store.ts";

export interface RateLimitOptions {
  /** Requests per second per tenant and mode; 0 turns the limiter off. */
  readonly perSecond: number;
  readonly redisUrl?: string | undefined;
  /** Namespaces the Redis keys (tests running side by side). */
  readonly keyPrefix?: string;
  readonly logger: Logger;
}

export type RateDecision =
  | { readonly allowed: true; readonly limit: number; readonly remaining: number; readonly resetMs: number }
  | { readonly allowed: false; readonly limit: number; readonly retryAfterMs: number };

/** Whose budget a request spends. */
export function rateKeyOf(principal: Principal | undefined, address: string | undefined): string {
  if (!principal) return `ip:${address ?? "unknown"}`;
  if (principal.kind === "platform") return `${principal.tenantId}:${principal.livemode ? "live" : "test"}`;
  return principal.kind;
}

/** Whole seconds to wait (Retry-After), at least 1. */
export function retryAfterSeconds(decision: Extract<RateDecision, { allowed: false }>): number {
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1_000));
}

export function rateLimited(decision: Extract<RateDecision, { allowed: false }>): GraphQLError {
  return new GraphQLError(`Too many requests: at most ${decision.limit} per second; retry after ${retryAfterSeconds(decision)} s`, {
    extensions: { code: "RATE_LIMITED", retryable: true, retryAfterMs: decision.retryAfterMs },
  });
}

export class RateLimiter {
  private readonly limiter: RateLimiterAbstract | undefined;
  private readonly store: LimitStore | undefined;

  constructor(private readonly options: RateLimitOptions) {
    if (options.perSecond === 0) return;
    this.store = new LimitStore(options.redisUrl, options.logger);
    this.limiter = this.store.limiter({ points: options.perSecond, duration: 1, keyPrefix: options.keyPrefix ?? "moneygraph:rate" });
  }

  /** See LimitStore.ready: call it before serving. */
  async ready(timeoutMs = 2_000): Promise<void> {
    await this.store?.ready(timeoutMs);
  }

  get enabled(): boolean {
    return this.limiter !== undefined;
  }

  /** Spends one request of `key`'s budget for the current second. */
  async consume(key: string): Promise<RateDecision> {
    const limit = this.options.perSecond;
    if (!this.limiter) return { allowed: true, limit, remaining: Number.POSITIVE_INFINITY, resetMs: 0 };
    try {
      const spent = await this.limiter.consume(key);
      return { allowed: true, limit, remaining: spent.remainingPoints, resetMs: spent.msBeforeNext };
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) return { allowed: false, limit, retryAfterMs: refusal.msBeforeNext };
      // Neither store could answer (should not happen: the memory one always can). Failing
      // closed would take the API down with the limiter; let the request through and say so.
      this.options.logger.error({ err: refusal }, "rate limiter failed; request allowed");
      return { allowed: true, limit, remaining: 0, resetMs: 0 };
    }
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}
