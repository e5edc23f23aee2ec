// The one transaction API: `fn` runs on one connection with raw SQL (db.transaction), with
// bounded retries. Postgres may abort a transaction that lost a serialization race or a
// deadlock; the whole transaction is then safe to run again (nothing of it committed). Anything
// else propagates at once. Modules' stores take the SqlClient it hands out.

import type { Database, SqlClient } from "./database.ts";
import { isRetryableConflict } from "./errors.ts";

export async function inTransaction<T>(db: Database, fn: (sql: SqlClient) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction(fn);
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      // Jittered backoff so the conflicting transactions do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}
