// What went wrong in the database, whichever driver adapter reported it.

/** The Postgres SQLSTATE of an error thrown through Prisma (pg or PGlite adapter), if any. */
export function sqlStateOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown): string | undefined => {
    if (!value || typeof value !== "object" || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of ["code", "originalCode", "sqlState"]) {
      const code = record[key];
      // Prisma's own codes (P1000-P6999) look like SQLSTATEs; Postgres' P0xxx class is PL/pgSQL's.
      if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !/^P[1-9]\d{3}$/.test(code)) return code;
    }
    for (const key of ["cause", "meta", "driverAdapterError", "originalError"]) {
      const found = visit(record[key]);
      if (found) return found;
    }
    const message = typeof record["message"] === "string" ? record["message"] : "";
    return /Code: `([0-9A-Z]{5})`/.exec(message)?.[1];
  };
  return visit(error);
}

/**
 * Errors worth retrying the whole transaction for: serialization failure, deadlock, and a
 * prepared statement whose tables changed shape under it (renamed by then, see prepared.ts).
 */
export function isRetryableConflict(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state === "40001" || state === "40P01" || isStalePlan(error)) return true;
  // Prisma's own name for a write conflict or deadlock.
  return (error as { code?: unknown } | null)?.code === "P2034";
}

/**
 * Postgres refused a value's text: NUL in text (22021), a \u0000 or lone-surrogate escape in json
 * (22P05, 22P02 "invalid input syntax for type json"). Client input, not a fault of ours.
 */
export function isUnstorableText(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state === "22021" || state === "22P05") return true;
  return state === "22P02" && /type json/.test(messageOf(error));
}

/** Postgres refused a prepared statement whose result's shape changed since it was prepared. */
export function isStalePlan(error: unknown): boolean {
  return sqlStateOf(error) === "0A000" && /cached plan must not change result type/.test(messageOf(error));
}

function messageOf(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const record = current as { message?: unknown; cause?: unknown };
    if (typeof record.message === "string") parts.push(record.message);
    current = record.cause;
  }
  return parts.join(" ");
}
