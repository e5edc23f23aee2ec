// API-key authentication at the edge. The operator key is compared in constant time; platform
// keys are resolved by the accounts subgraph (which owns them) and cached briefly, positive and
// negative, so a burst of requests costs one lookup, concurrent requests with a key not yet
// cached included.
//
// When the lookup cannot be made (the accounts subgraph or its database is away), every request
// with an uncached key fails alike: that outage is logged here, once when it starts and once when
// a lookup succeeds again, however many requests (HTTP or graphql-ws) run into it meanwhile.

import { hash, timingSafeEqual } from "node:crypto";
import { GraphQLError } from "graphql";
import { LRUCache } from "lru-cache";
import { looksLikeSecretKey } from "../subgraphs/shared/auth/api-key.ts";
import type { Principal } from "../subgraphs/shared/auth/principal.ts";
import type { AccountId } from "../subgraphs/shared/ids.ts";
import { signPrincipal } from "../subgraphs/shared/auth/signature.ts";
import type { Logger } from "../subgraphs/shared/logger.ts";
import { traceHeaders } from "../subgraphs/shared/tracing/context.ts";

export interface AuthenticatorOptions {
  readonly accountsUrl: string;
  readonly gatewaySecret: string;
  readonly adminApiKey: string | undefined;
  readonly cacheTtlMs: number;
  /** Where an outage of the lookup is logged (once at its start, once at its end). */
  readonly logger: Logger;
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

/** A key that could not be checked: the lookup is unavailable, not the key wrong. Logged by the Authenticator. */
class AuthenticationUnavailable extends GraphQLError {
  constructor(cause: Error) {
    super("Authentication is unavailable; try again", {
      originalError: cause,
      extensions: { code: "INTERNAL_SERVER_ERROR", http: { status: 503 } },
    });
  }
}

export function isAuthenticationUnavailable(error: unknown): boolean {
  return error instanceof AuthenticationUnavailable;
}

/** An error and its causes' messages, in one line (`fetch failed: connect ECONNREFUSED …`). */
function reasonOf(error: unknown): string {
  const messages: string[] = [];
  for (let each = error; each instanceof Error && messages.length < 4; each = each.cause) messages.push(each.message);
  return messages.join(": ") || String(error);
}

const AUTHENTICATE = `query Authenticate($secret: String!) { _authenticate(secret: $secret) { tenantId livemode keyId } }`;

type Lookup = { principal: Principal | null };

export class Authenticator {
  /** Lookups by the key's digest; a fetch's context is the key itself. */
  private readonly cache: LRUCache<string, Lookup, string>;
  private readonly adminDigest: Buffer | undefined;
  /** When lookups started failing, during an outage. */
  private unavailableSince: number | undefined;

  constructor(private readonly options: AuthenticatorOptions) {
    this.cache = new LRUCache<string, Lookup, string>({
      max: 50_000,
      ttl: Math.max(options.cacheTtlMs, 1),
      fetchMethod: async (_digest, _stale, { context: secret }) => ({ principal: await this.lookup(secret) }),
    });
    this.adminDigest = options.adminApiKey ? digest(options.adminApiKey) : undefined;
  }

  /** The principal for an `Authorization` header value; throws UNAUTHENTICATED when it is wrong. */
  async authenticate(authorization: string): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw unauthenticated("Use `Authorization: Bearer <secret key>`");
    const secret = match[1];
    // One digest per request: it is compared with the operator key's and keys the cache.
    const secretDigest = digest(secret);
    if (this.adminDigest && timingSafeEqual(secretDigest, this.adminDigest)) return { kind: "operator" };
    if (!looksLikeSecretKey(secret)) throw unauthenticated("Invalid API key");

    // Through the cache, requests with a key it does not hold share one lookup (lru-cache's fetch
    // keeps the lookup in flight under the key); a failed lookup is not kept.
    const lookup =
      this.options.cacheTtlMs > 0
        ? await this.cache.fetch(secretDigest.toString("base64"), { context: secret })
        : { principal: await this.lookup(secret) };
    if (!lookup?.principal) throw unauthenticated("Invalid API key");
    return lookup.principal;
  }

  private async lookup(secret: string): Promise<Principal | null> {
    const operation = { query: AUTHENTICATE, variables: { secret } };
    let response: Response;
    try {
      // The lookup is part of the request's trace (when tracing is on).
      response = await fetch(this.options.accountsUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...signPrincipal({ kind: "gateway" }, this.options.gatewaySecret, operation),
          ...traceHeaders(),
        },
        body: JSON.stringify(operation),
      });
    } catch (error) {
      throw this.unavailable(error instanceof Error ? error : new Error(String(error)));
    }
    const body = (await response.json().catch(() => undefined)) as
      | {
          data?: { _authenticate: { tenantId: AccountId; livemode: boolean; keyId: string } | null };
          errors?: { extensions?: { code?: unknown } }[];
        }
      | undefined;
    if (!response.ok || !body?.data || body.errors) {
      // The key may be fine: the accounts subgraph is not. Not an auth failure, not cached.
      const codes = [...new Set((body?.errors ?? []).map((error) => String(error.extensions?.code)))];
      throw this.unavailable(
        new Error(`the accounts subgraph answered HTTP ${response.status}${codes.length > 0 ? ` with ${codes.join(", ")}` : ""}`),
      );
    }
    this.available();
    const found = body.data._authenticate;
    return found ? { kind: "platform", ...found } : null;
  }

  private unavailable(cause: Error): AuthenticationUnavailable {
    if (this.unavailableSince === undefined) {
      this.unavailableSince = Date.now();
      this.options.logger.error(
        { reason: reasonOf(cause) },
        "authentication unavailable; answering SERVICE_UNAVAILABLE to keys not in the cache until it is back",
      );
    }
    return new AuthenticationUnavailable(cause);
  }

  private available(): void {
    if (this.unavailableSince === undefined) return;
    const downForMs = Date.now() - this.unavailableSince;
    this.unavailableSince = undefined;
    this.options.logger.warn({ downForMs }, `authentication available again after ${downForMs} ms`);
  }
}

function digest(value: string): Buffer {
  return hash("sha256", value, "buffer");
}
