// Idempotency for every mutation that moves money or creates an object (docs/errors.md: the retry contract).
//
// - A key belongs to the caller's scope (tenant and mode) and lives 24 hours.
// - The first request claims the key (a committed IN_PROGRESS row with a lease), then runs the
//   operation in a transaction that also marks the key COMPLETED with a reference to its result:
//   the effects and the completion commit together or not at all.
// - A replay with the same parameters returns the first result; different parameters (or another
//   operation) answer IDEMPOTENCY_KEY_REUSED.
// - A concurrent duplicate waits briefly for the first to finish and replays it, or answers
//   IDEMPOTENCY_KEY_IN_USE; it never executes. A claim's lease is short (3 s) and renewed every
//   second by the process that holds it, for as long as it runs the operation: a claim whose
//   process died is taken over within seconds, and the claim token makes sure only one of two
//   racing workers can complete (a live owner whose lease lapsed, say in a long pause, finds its
//   completion refused and rolls back).
// - An operation that fails (a refusal such as INSUFFICIENT_FUNDS, or a crash) releases the key:
//   nothing happened, so a corrected retry with the same key may run. (Stripe keeps declines;
//   we keep only what committed, which is never surprising to replay.)
//
// - createTransfer, the hottest mutation, skips the claim for a key it has not used before: the
//   transfer batcher writes the key COMPLETED in the transfer's own commit (insertCompleted), one
//   statement per batch, and only a key found used goes through `claim` as above. What a client
//   sees is the same, except that a duplicate racing the first request waits for its commit
//   instead of polling.
//
// `run` hands the operation the one kind of transaction there is (db/transaction.ts): raw SQL
// on one connection, which the modules' stores take.

import { Counter } from "prom-client";
import type { Database, SqlClient } from "../db/database.ts";
import { inTransaction } from "../db/transaction.ts";
import { AppError, badInput } from "../errors.ts";
import { randomToken } from "../ids.ts";
import { processRegistry } from "../metrics.ts";
import { isPrintableText } from "../text.ts";
import { fingerprint } from "./fingerprint.ts";

// Labelled by operation (the mutation's name: a fixed set in the code), never by key or scope.
const replays = new Counter({
  name: "moneygraph_idempotency_replays_total",
  help: "Requests answered with the first result of their idempotency key, by operation",
  labelNames: ["operation"],
  registers: [processRegistry],
});

const conflicts = new Counter({
  name: "moneygraph_idempotency_conflicts_total",
  help: "Requests refused for their idempotency key, by operation and code (IDEMPOTENCY_KEY_REUSED: other parameters; IDEMPOTENCY_KEY_IN_USE: still running, or its lease was taken over)",
  labelNames: ["operation", "code"],
  registers: [processRegistry],
});

type ConflictCode = "IDEMPOTENCY_KEY_REUSED" | "IDEMPOTENCY_KEY_IN_USE";

/** Counts a request refused for its key (also by callers that complete keys themselves: the transfer batcher). */
export function idempotencyConflict(operation: string, code: ConflictCode): void {
  conflicts.inc({ operation, code });
}

function conflict(operation: string, code: ConflictCode, message: string): AppError {
  idempotencyConflict(operation, code);
  return new AppError(code, message);
}

export const KEY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_KEY_LENGTH = 255;

export interface IdempotencyOptions {
  /** How long a claim is protected from takeover unless its owner renews it (every third of it). */
  readonly leaseMs?: number;
  /** How long a concurrent duplicate waits for the first request before IDEMPOTENCY_KEY_IN_USE. */
  readonly waitMs?: number;
  readonly now?: () => Date;
}

export interface IdempotentRequest {
  /** The caller's scope: principalScope(principal). */
  readonly scope: string;
  readonly key: string;
  /** The mutation's name, e.g. "createTransfer". */
  readonly operation: string;
  /** Everything that defines the request (not the key). */
  readonly params: unknown;
}

/**
 * How a result is remembered and brought back on replay: a reference to what was created, never
 * a secret in clear (createPlatform keeps its keys sealed: accounts/service/platform-secrets.ts).
 */
export interface ResultCodec<T> {
  toJson(result: T): Record<string, string | number | boolean | null>;
  fromJson(json: Record<string, unknown>): Promise<T>;
}

/** Marks the key completed with this result, in the operation's transaction. */
export type Complete<T> = (result: T) => Promise<void>;

export function validateKey(key: string): void {
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) {
    throw badInput(`idempotencyKey must be 1 to ${MAX_KEY_LENGTH} characters`, "idempotencyKey");
  }
  // Two keys that differ only in unstorable text would be stored as one (see shared/text.ts).
  if (!isPrintableText(key)) throw badInput("idempotencyKey must be printable, well-formed text", "idempotencyKey");
}

export type Claimed = { kind: "claimed"; token: string } | { kind: "replay"; response: Record<string, unknown> };

/**
 * A key its request has not used before, written COMPLETED with its result in the operation's
 * own transaction (see insertCompleted).
 */
export interface FreshKey {
  readonly scope: string;
  readonly key: string;
  readonly operation: string;
  /** fingerprint(operation, params): what a later request with the key is compared against. */
  readonly fingerprint: string;
  /** Unique to this request: tells it apart from another in the same statement with the same key. */
  readonly token: string;
  readonly response: Record<string, string | number | boolean | null>;
}

/** A claimed key to complete as part of a batch (see completeMany). */
export interface ClaimedKey {
  readonly scope: string;
  readonly key: string;
  readonly token: string;
  readonly response: Record<string, string | number | boolean | null>;
}

interface KeyRow {
  operation: string;
  fingerprint: string;
  status: "IN_PROGRESS" | "COMPLETED";
  response: Record<string, unknown> | null;
  claim_token: string;
  locked_until: Date;
  expires_at: Date;
}

const COMPLETE_SQL = `UPDATE idempotency_key SET status = 'COMPLETED', response = $4::jsonb
  WHERE scope = $1 AND key = $2 AND claim_token = $3 AND status = 'IN_PROGRESS' RETURNING 1 AS done`;

export const DEFAULT_LEASE_MS = 3_000;

export class Idempotency {
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly now: () => Date;
  /** Claims this process holds and keeps alive, by claim token. */
  private readonly held = new Map<string, { readonly scope: string; readonly key: string }>();
  private renewal: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly db: Database,
    options: IdempotencyOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.waitMs = options.waitMs ?? 2_000;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Runs `execute` at most once per key, in a transaction. `execute` may call `complete(result)`
   * itself, early, so the key's row is written before it takes hot locks (the ledger); if it
   * does not, the key is completed after it returns.
   */
  run<T>(request: IdempotentRequest, codec: ResultCodec<T>, execute: (sql: SqlClient, complete: Complete<T>) => Promise<T>): Promise<T> {
    return this.once(request, codec, (token) =>
      inTransaction(this.db, (sql) =>
        this.completing(request.operation, execute, sql, async (result) => {
          const rows = await sql.query(COMPLETE_SQL, [request.scope, request.key, token, JSON.stringify(codec.toJson(result))]);
          return rows.length;
        }),
      ),
    );
  }

  private async completing<T>(
    operation: string,
    execute: (sql: SqlClient, complete: Complete<T>) => Promise<T>,
    sql: SqlClient,
    markCompleted: (result: T) => Promise<number>,
  ): Promise<T> {
    let completed = false;
    const complete = async (result: T) => {
      // Our lease was taken over by a retry: let that one be the only execution.
      if ((await markCompleted(result)) !== 1) {
        throw conflict(operation, "IDEMPOTENCY_KEY_IN_USE", "This idempotency key is being used by another request");
      }
      completed = true;
    };
    const result = await execute(sql, complete);
    if (!completed) await complete(result);
    return result;
  }

  private async once<T>(request: IdempotentRequest, codec: ResultCodec<T>, transact: (token: string) => Promise<T>): Promise<T> {
    const claim = await this.claim(request);
    if (claim.kind === "replay") return codec.fromJson(claim.response);
    try {
      return await transact(claim.token);
    } catch (error) {
      await this.release(request, claim.token);
      throw error;
    } finally {
      this.finished(claim.token);
    }
  }

  /** Stops renewing a claim's lease: its operation committed, or was given up. */
  finished(token: string): void {
    this.held.delete(token);
    if (this.held.size === 0 && this.renewal) {
      clearInterval(this.renewal);
      this.renewal = undefined;
    }
  }

  private hold(token: string, scope: string, key: string): void {
    this.held.set(token, { scope, key });
    // unref: a claim in flight never keeps a process alive that is otherwise done.
    this.renewal ??= setInterval(() => void this.renew(), Math.max(Math.floor(this.leaseMs / 3), 1)).unref();
  }

  /**
   * Extends the lease of every claim still held. A row its owner's transaction has locked (being
   * completed) is skipped, not waited for: it is about to be COMPLETED or, on rollback, renewed
   * next time; waiting could also deadlock against a batch completing many keys.
   */
  private async renew(): Promise<void> {
    const claims = [...this.held.entries()];
    // One renewal at a time: on PGlite it queues behind any open transaction.
    if (claims.length === 0 || this.renewing) return;
    this.renewing = true;
    await this.db.sql
      .query(
        `UPDATE idempotency_key k SET locked_until = $4
           FROM (SELECT i.scope, i.key FROM idempotency_key i
                   JOIN unnest($1::text[], $2::text[], $3::text[]) AS h(scope, key, token)
                     ON i.scope = h.scope AND i.key = h.key AND i.claim_token = h.token
                  WHERE i.status = 'IN_PROGRESS'
                  FOR UPDATE OF i SKIP LOCKED) AS mine
          WHERE k.scope = mine.scope AND k.key = mine.key`,
        [
          claims.map(([, c]) => c.scope),
          claims.map(([, c]) => c.key),
          claims.map(([token]) => token),
          new Date(this.now().getTime() + this.leaseMs),
        ],
      )
      .catch(() => {
        // The database is away: the leases lapse and a retry may take over once it is back;
        // the claim token still lets only one execution complete.
      })
      .finally(() => {
        this.renewing = false;
      });
  }

  /**
   * The building blocks of `run`, for callers that execute many claimed requests in one
   * transaction (the transfer batcher): claim each key, complete them together with
   * `completeMany` inside the transaction, release the ones that did not happen.
   */
  async release(request: Pick<IdempotentRequest, "scope" | "key">, token: string): Promise<void> {
    this.finished(token);
    await this.db.sql
      .query(`DELETE FROM idempotency_key WHERE scope = $1 AND key = $2 AND claim_token = $3 AND status = 'IN_PROGRESS'`, [
        request.scope,
        request.key,
        token,
      ])
      .catch(() => {
        // The lease will expire; a retry then takes the key over.
      });
  }

  /** Completes claimed keys in the caller's transaction; returns the keys it completed. */
  static async completeMany(sql: SqlClient, keys: readonly ClaimedKey[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await sql.query<{ scope: string; key: string }>(
      `UPDATE idempotency_key k SET status = 'COMPLETED', response = v.response
         FROM jsonb_to_recordset($1::jsonb) AS v(scope text, key text, token text, response jsonb)
        WHERE k.scope = v.scope AND k.key = v.key AND k.claim_token = v.token AND k.status = 'IN_PROGRESS'
       RETURNING k.scope, k.key`,
      [JSON.stringify(keys)],
    );
    return new Set(rows.map((row) => `${row.scope}\u0000${row.key}`));
  }

  /**
   * Writes keys as COMPLETED with their results in the caller's transaction, with no claim before
   * it: the transfer batcher's way for keys its requests have not used before, so a request costs
   * no statement or commit of its own. The row and the operation's effects commit together or not
   * at all, so no claim is in progress, nor a lease to keep. A key that exists already (used
   * before, in use, or another request of the same statement) is left as it is and its request
   * is not among those answered: it goes the way of `claim`, which replays, refuses or waits as
   * usual. A concurrent transaction writing the same key waits for this one to end (the unique
   * index), then finds the key used. Rows go in (scope, key) order, so two batches writing the same
   * keys wait for each other in one order, and the caller must write them before taking other
   * locks (the ledger's) so that no batch waits for a key while holding a balance another needs.
   * Answers the tokens of the keys written; a caller whose operation is then refused deletes its
   * key again (discard) before it commits.
   */
  static async insertCompleted(sql: SqlClient, keys: readonly FreshKey[], now = new Date()): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const ordered = [...keys].sort((a, b) => compare(a.scope, b.scope) || compare(a.key, b.key));
    const rows = await sql.query<{ claim_token: string }>(
      `INSERT INTO idempotency_key (scope, key, operation, fingerprint, status, response, claim_token, locked_until, created_at, expires_at)
       SELECT v.scope, v.key, v.operation, v.fingerprint, 'COMPLETED', v.response, v.token, $2, $2, $3
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                AS (scope text, key text, operation text, fingerprint text, token text, response jsonb))
              WITH ORDINALITY AS v(scope, key, operation, fingerprint, token, response, position)
        ORDER BY v.position
       ON CONFLICT (scope, key) DO NOTHING RETURNING claim_token`,
      [JSON.stringify(ordered), now, new Date(now.getTime() + KEY_TTL_MS)],
    );
    return new Set(rows.map((row) => row.claim_token));
  }

  /** Deletes keys insertCompleted wrote in this transaction whose operations were then refused. */
  static async discard(sql: SqlClient, keys: readonly Pick<FreshKey, "scope" | "key" | "token">[]): Promise<void> {
    if (keys.length === 0) return;
    await sql.query(
      `DELETE FROM idempotency_key k USING unnest($1::text[], $2::text[], $3::text[]) AS d(scope, key, token)
        WHERE k.scope = d.scope AND k.key = d.key AND k.claim_token = d.token`,
      [keys.map((k) => k.scope), keys.map((k) => k.key), keys.map((k) => k.token)],
    );
  }

  async claim(request: IdempotentRequest): Promise<Claimed> {
    validateKey(request.key);
    const print = fingerprint(request.operation, request.params);
    const { scope, key } = request;
    const deadline = Date.now() + this.waitMs;
    for (let attempt = 0; ; attempt += 1) {
      const now = this.now();
      const token = randomToken(24);
      const inserted = await this.db.sql.query(
        `INSERT INTO idempotency_key (scope, key, operation, fingerprint, status, claim_token, locked_until, created_at, expires_at)
         VALUES ($1, $2, $3, $4, 'IN_PROGRESS', $5, $6, $7, $8)
         ON CONFLICT (scope, key) DO NOTHING RETURNING 1 AS claimed`,
        [scope, key, request.operation, print, token, new Date(now.getTime() + this.leaseMs), now, new Date(now.getTime() + KEY_TTL_MS)],
      );
      if (inserted.length === 1) {
        this.hold(token, scope, key);
        return { kind: "claimed", token };
      }

      const [existing] = await this.db.sql.query<KeyRow>(
        `SELECT operation, fingerprint, status::text AS status, response, claim_token, locked_until, expires_at
           FROM idempotency_key WHERE scope = $1 AND key = $2`,
        [scope, key],
      );
      if (!existing) continue; // released between our insert and read: claim again

      if (new Date(existing.expires_at) <= now) {
        // A day-old key is a new key: take it over if nobody else just did.
        await this.db.sql.query(`DELETE FROM idempotency_key WHERE scope = $1 AND key = $2 AND claim_token = $3 AND expires_at <= $4`, [
          scope,
          key,
          existing.claim_token,
          now,
        ]);
        continue;
      }
      if (existing.operation !== request.operation || existing.fingerprint !== print) {
        throw conflict(
          request.operation,
          "IDEMPOTENCY_KEY_REUSED",
          `This idempotency key was already used with different parameters${existing.operation !== request.operation ? ` (for ${existing.operation})` : ""}`,
        );
      }
      if (existing.status === "COMPLETED") {
        replays.inc({ operation: request.operation });
        return { kind: "replay", response: existing.response ?? {} };
      }

      if (new Date(existing.locked_until) <= now) {
        // The first worker died mid-flight (its lease ran out, unrenewed): take the claim over.
        const taken = await this.db.sql.query(
          `UPDATE idempotency_key SET claim_token = $3, locked_until = $4
            WHERE scope = $1 AND key = $2 AND claim_token = $5 AND status = 'IN_PROGRESS' RETURNING 1 AS taken`,
          [scope, key, token, new Date(now.getTime() + this.leaseMs), existing.claim_token],
        );
        if (taken.length === 1) {
          this.hold(token, scope, key);
          return { kind: "claimed", token };
        }
        continue;
      }
      if (Date.now() >= deadline) {
        throw conflict(
          request.operation,
          "IDEMPOTENCY_KEY_IN_USE",
          "A request with this idempotency key is still being processed; retry shortly",
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(20 * 2 ** Math.min(attempt, 4), 200)));
    }
  }

  /** Deletes keys past their 24 hours; run periodically by a worker. */
  async purgeExpired(): Promise<number> {
    const rows = await this.db.sql.query(`DELETE FROM idempotency_key WHERE expires_at <= $1 RETURNING 1 AS purged`, [this.now()]);
    return rows.length;
  }
}

/** Code-unit order: any one total order serves insertCompleted, as long as every batch uses it. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
