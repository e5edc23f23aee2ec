// API-key authentication at the edge. The operator key is compared in constant time; platform
// keys are resolved by the accounts subgraph (which owns them) and cached briefly, positive and
// negative, so a burst of requests costs one lookup.

import { hash, timingSafeEqual } from "node:crypto";
import { GraphQLError } from "graphql";
import { LRUCache } from "lru-cache";
import { looksLikeSecretKey } from "../subgraphs/shared/auth/api-key.ts";
import type { Principal } from "../subgraphs/shared/auth/principal.ts";
import { signPrincipal } from "../subgraphs/shared/auth/signature.ts";
import { traceHeaders } from "../subgraphs/shared/tracing/context.ts";

export interface AuthenticatorOptions {
  readonly accountsUrl: string;
  readonly gatewaySecret: string;
  readonly adminApiKey: string | undefined;
  readonly cacheTtlMs: number;
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

const AUTHENTICATE = `query Authenticate($secret: String!) { _authenticate(secret: $secret) { tenantId livemode keyId } }`;

type Lookup = { principal: Principal | null };

export class Authenticator {
  private readonly cache: LRUCache<string, Lookup>;
  private readonly adminDigest: Buffer | undefined;

  constructor(private readonly options: AuthenticatorOptions) {
    this.cache = new LRUCache({ max: 50_000, ttl: Math.max(options.cacheTtlMs, 1) });
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

    const cacheKey = secretDigest.toString("base64");
    let lookup = this.options.cacheTtlMs > 0 ? this.cache.get(cacheKey) : undefined;
    if (!lookup) {
      lookup = { principal: await this.lookup(secret) };
      if (this.options.cacheTtlMs > 0) this.cache.set(cacheKey, lookup);
    }
    if (!lookup.principal) throw unauthenticated("Invalid API key");
    return lookup.principal;
  }

  private async lookup(secret: string): Promise<Principal | null> {
    const operation = { query: AUTHENTICATE, variables: { secret } };
    const response = await fetch(this.options.accountsUrl, {
      method: "POST",
      // The lookup is part of the request's trace (when tracing is on).
      headers: { "content-type": "application/json", ...signPrincipal({ kind: "gateway" }, this.options.gatewaySecret, operation), ...traceHeaders() },
      body: JSON.stringify(operation),
    });
    const body = (await response.json().catch(() => undefined)) as
      | { data?: { _authenticate: { tenantId: string; livemode: boolean; keyId: string } | null }; errors?: unknown[] }
      | undefined;
    if (!response.ok || !body?.data || body.errors) {
      // The key may be fine: the accounts subgraph is not. Not an auth failure, not cached.
      throw new GraphQLError("Authentication is unavailable; try again", {
        extensions: { code: "INTERNAL_SERVER_ERROR", http: { status: 503 } },
      });
    }
    const found = body.data._authenticate;
    return found ? { kind: "platform", ...found } : null;
  }
}

function digest(value: string): Buffer {
  return hash("sha256", value, "buffer");
}
