// Relay-style paging, newest first: the pure half (cursors and page requests) that services use.
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

export function decodeCursor(cursor: string): Position {
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
  throw badInput("Invalid cursor", "after");
}

export interface PageArgs {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
}

export interface PageRequest {
  /** One more than the page size, to learn whether another page follows. */
  readonly take: number;
  readonly size: number;
  readonly after: Position | undefined;
}

export function pageRequest(args: PageArgs): PageRequest {
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, "first");
  }
  return { size, take: size + 1, after: args.after ? decodeCursor(args.after) : undefined };
}

/** The Prisma `where` fragment for "strictly after this position" in (createdAt desc, id desc). */
export function afterPosition(after: Position | undefined) {
  if (!after) return {};
  return {
    OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
  };
}
