// Where the gateway's counters live (rate-limit.ts, auth-failures.ts): in this process, or, with
// RATE_LIMIT_REDIS_URL, in Redis, shared by every gateway instance. Should Redis be unreachable,
// each instance counts on its own (rate-limiter-flexible's insurance limiter) rather than
// refusing every request or letting every request through.

import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type IRateLimiterOptions, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Logger } from "../subgraphs/shared/logger.ts";

export class LimitStore {
  private readonly redis: Redis | undefined;

  constructor(redisUrl: string | undefined, logger: Logger) {
    if (!redisUrl) return;
    // No offline queue: while Redis is away a command fails at once and the insurance limiter
    // answers, instead of requests waiting on a reconnect.
    this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    let warned = false;
    this.redis.on("error", (error: Error) => {
      if (warned) return;
      warned = true;
      logger.warn({ err: error }, "rate limit store unreachable; counting per gateway process until it is back");
    });
    this.redis.on("ready", () => {
      warned = false;
    });
  }

  /** A counter in this store: in Redis with this process as insurance, or in this process. */
  limiter(options: IRateLimiterOptions): RateLimiterAbstract {
    const local = new RateLimiterMemory(options);
    return this.redis ? new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: local }) : local;
  }

  /**
   * Resolves once the Redis connection is up, or after `timeoutMs` (requests are then counted
   * per process until it is): call it before serving, so the first requests share the count.
   */
  async ready(timeoutMs = 2_000): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === "ready") return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off("ready", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      redis.once("ready", done);
    });
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
