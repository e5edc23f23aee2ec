// Who is on each graphql-ws connection, and whether they still may be.
//
// The key comes once, in connectionParams (`{ "authorization": "Bearer <key>" }`), and is
// checked like an HTTP Authorization header. A socket can live for days, so every open
// connection's key is checked again periodically (through the Authenticator and its short
// cache: one lookup per distinct key per round, however many sockets share it); a connection
// whose key no longer authenticates (revoked, expired, account closed) is closed with
// CLOSE_UNAUTHORIZED, which ends its subscriptions. A tenant (per mode) may hold at most
// `maxPerKey` sockets on one gateway; one more is refused with CLOSE_TOO_MANY_CONNECTIONS, and so
// is a connection from an address beyond its budget of failed authentications (auth-failures.ts;
// the reason starts with RATE_LIMITED and says how long to wait). Re-checks spend no budget.

import type { WebSocket } from "ws";
import type { Principal } from "../../subgraphs/shared/auth/principal.ts";
import type { Logger } from "../../subgraphs/shared/logger.ts";
import { isRateLimited, isUnauthenticated, retryAfterSecondsOf, type AuthFailures } from "../auth-failures.ts";
import { isAuthenticationUnavailable, type Authenticator } from "../authenticate.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { rateKeyOf } from "../rate-limit.ts";
import { CLOSE_TOO_MANY_CONNECTIONS, CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED } from "./close-codes.ts";

export interface Connection {
  readonly authorization: string;
  /** Whose sockets it counts among (tenant and mode). */
  readonly owner: string;
  principal: Principal;
  readonly socket: WebSocket;
}

export type Admission = { readonly connection: Connection } | { readonly refusal: { readonly code: number; readonly reason: string } };

function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.["authorization"] ?? params?.["Authorization"];
  return typeof value === "string" ? value : undefined;
}

export class Connections {
  private readonly byAuthorization = new Map<string, Set<Connection>>();
  /** Open connections per owner (tenant and mode), for MAX_CONNECTIONS_PER_KEY. */
  private readonly byOwner = new Map<string, Set<Connection>>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly recheckMs: number,
    private readonly logger: Logger,
    private readonly maxPerKey: number = Number.POSITIVE_INFINITY,
    private readonly failures?: AuthFailures,
    private readonly metrics?: Pick<GatewayMetrics, "authFailure" | "rateLimited">,
  ) {
    if (recheckMs > 0) {
      this.timer = setInterval(() => void this.recheck(), recheckMs);
      this.timer.unref();
    }
  }

  /** Checks the key of a new connection; the refusal says why, in a close code and reason. */
  async admit(params: Readonly<Record<string, unknown>> | undefined, socket: WebSocket, address?: string): Promise<Admission> {
    const authorization = authorizationOf(params);
    if (!authorization) {
      this.metrics?.authFailure("ws", "missing_key");
      return { refusal: { code: CLOSE_UNAUTHORIZED, reason: 'Missing API key: connectionParams { "authorization": "Bearer <key>" }' } };
    }
    try {
      const authenticate = () => this.authenticator.authenticate(authorization);
      const principal = await (this.failures ? this.failures.guard(address, authenticate) : authenticate());
      const owner = rateKeyOf(principal, undefined);
      if ((this.byOwner.get(owner)?.size ?? 0) >= this.maxPerKey) {
        this.metrics?.rateLimited("ws", "connections");
        return {
          refusal: {
            code: CLOSE_TOO_MANY_CONNECTIONS,
            reason: `At most ${this.maxPerKey} connections at once per API key's account and mode`,
          },
        };
      }
      const connection: Connection = { authorization, owner, principal, socket };
      add(this.byAuthorization, authorization, connection);
      add(this.byOwner, owner, connection);
      return { connection };
    } catch (error) {
      if (isUnauthenticated(error)) {
        this.metrics?.authFailure("ws", "invalid_key");
        return { refusal: { code: CLOSE_UNAUTHORIZED, reason: (error as Error).message } };
      }
      if (isRateLimited(error)) {
        this.metrics?.rateLimited("ws", "auth_failures");
        const wait = retryAfterSecondsOf(Number(error.extensions["retryAfterMs"]));
        return {
          refusal: { code: CLOSE_TOO_MANY_CONNECTIONS, reason: `RATE_LIMITED: too many failed authentications; retry after ${wait} s` },
        };
      }
      // An outage of the key lookup is logged by the Authenticator, once; anything else here.
      if (!isAuthenticationUnavailable(error)) this.logger.error({ err: error }, "authentication failed");
      return { refusal: { code: CLOSE_TRY_AGAIN_LATER, reason: "Authentication is unavailable; try again" } };
    }
  }

  forget(connection: Connection): void {
    remove(this.byAuthorization, connection.authorization, connection);
    remove(this.byOwner, connection.owner, connection);
  }

  get size(): number {
    let size = 0;
    for (const group of this.byAuthorization.values()) size += group.size;
    return size;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round: every distinct key once; those that no longer authenticate lose their sockets. */
  async recheck(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const [authorization, group] of [...this.byAuthorization]) {
        try {
          const principal = await this.authenticator.authenticate(authorization);
          for (const connection of group) connection.principal = principal;
        } catch (error) {
          // Unavailable is not revoked: keep the connections and look again next round.
          if (!isUnauthenticated(error)) continue;
          this.logger.info({ connections: group.size }, "closing connections whose key no longer authenticates");
          for (const connection of group) connection.socket.close(CLOSE_UNAUTHORIZED, "API key revoked or expired");
          this.byAuthorization.delete(authorization);
        }
      }
    } finally {
      this.checking = false;
    }
  }
}

function add(groups: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  let group = groups.get(key);
  if (!group) groups.set(key, (group = new Set()));
  group.add(connection);
}

function remove(groups: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const group = groups.get(key);
  if (group?.delete(connection) && group.size === 0) groups.delete(key);
}
