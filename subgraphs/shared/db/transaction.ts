// Interactive transactions with bounded retries. Postgres may abort a transaction that lost a
// serialization race or a deadlock; the whole transaction is then safe to run again (nothing of
// it committed). Anything else propagates at once.

import type { Database, SqlClient, Tx } from "./database.ts";
import { isRetryableConflict } from "./errors.ts";

export interface TransactionOptions {
  readonly attempts?: number;
  /** Prisma's interactive transaction limits (ms). */
  readonly timeout?: number;
  readonly maxWait?: number;
}

export async function inTransaction<T>(db: Database, fn: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.prisma.$transaction(fn, { timeout: options.timeout ?? 15_000, maxWait: options.maxWait ?? 10_000 });
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      // Jittered backoff so the conflicting transactions do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}

/** The raw-SQL twin of inTransaction, for the money path's hot transactions. */
export async function inSqlTransaction<T>(db: Database, fn: (sql: SqlClient) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction(fn);
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}
