// Relay-style paging, newest first, both ways: the pure half (cursors, page requests and their
// SQL) that services and stores use.
// A cursor is an opaque (createdAt, id) position; it only moves the window inside the caller's
// own data (every query also filters by tenant), so a cursor crafted by hand reveals nothing.

import { badInput } from "./errors.ts";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface Position {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString("base64url");
}

export function decodeCursor(cursor: string, field: "after" | "before" = "after"): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      typeof value[1] === "string" &&
      value[1].length <= 64 &&
      !Number.isNaN(Date.parse(value[0]))
    ) {
      return { createdAt: new Date(value[0]), id: value[1] };
    }
  } catch {
    // fall through to the typed error
  }
  throw badInput("Invalid cursor", field);
}

export interface PageArgs {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
  readonly last?: number | null | undefined;
  readonly before?: string | null | undefined;
}

/**
 * A page of a newest-first list (Relay's connection arguments): `first` items from the top, or
 * `last` items from the bottom, of the window strictly after `after` and strictly before
 * `before` (either, both or neither).
 */
export interface PageRequest {
  /** One more than the page size, to learn whether another page follows. */
  readonly take: number;
  readonly size: number;
  /** `last`: the rows are read oldest first from the window's bottom, and reversed. */
  readonly backward: boolean;
  readonly after: Position | undefined;
  readonly before: Position | undefined;
}

function pageSize(value: number | null | undefined, field: "first" | "last"): number {
  const size = value ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput(`${field} must be between 1 and ${MAX_PAGE_SIZE}`, field);
  }
  return size;
}

export function pageRequest(args: PageArgs): PageRequest {
  if (args.first != null && args.last != null) throw badInput("Give first or last, not both", "last");
  const backward = args.last != null;
  const size = backward ? pageSize(args.last, "last") : pageSize(args.first, "first");
  return {
    size,
    take: size + 1,
    backward,
    after: args.after ? decodeCursor(args.after, "after") : undefined,
    before: args.before ? decodeCursor(args.before, "before") : undefined,
  };
}

/**
 * The SQL of a page over (created_at, id), newest first: its window (`where`, to AND onto the
 * query's own conditions), `orderBy` and `limit`, on parameters $n to $n+4 (`params`, in that
 * order). Backward pages read the window from its oldest end: the same index, scanned the other
 * way. `alias` qualifies the columns.
 */
export function pageSql(
  page: PageRequest,
  n: number,
  alias?: string,
): { where: string; orderBy: string; limit: string; params: unknown[] } {
  const c = alias ? `${alias}.` : "";
  const direction = page.backward ? "ASC" : "DESC";
  return {
    where:
      `($${n}::timestamptz IS NULL OR (${c}created_at, ${c}id) < ($${n}::timestamptz, $${n + 1}::varchar))` +
      ` AND ($${n + 2}::timestamptz IS NULL OR (${c}created_at, ${c}id) > ($${n + 2}::timestamptz, $${n + 3}::varchar))`,
    orderBy: `${c}created_at ${direction}, ${c}id ${direction}`,
    limit: `$${n + 4}`,
    params: [page.after?.createdAt ?? null, page.after?.id ?? "", page.before?.createdAt ?? null, page.before?.id ?? "", page.take],
  };
}
