// Reading top-ups for use cases and resolvers, inside the caller's tenant and mode.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import type { CreatedBounds } from "../../shared/created-range.ts";
import type { PageRequest } from "../../shared/pagination.ts";
import { findTopupRows, listTopups, type TopupRecord } from "../store/topups.ts";

export type { TopupRecord } from "../store/topups.ts";

export function findTopups(sql: SqlClient, principal: PlatformPrincipal, ids: readonly string[]): Promise<(TopupRecord | null)[]> {
  return findTopupRows(sql, principal, ids);
}

export async function findTopup(sql: SqlClient, principal: PlatformPrincipal, id: string): Promise<TopupRecord> {
  const [row] = await findTopups(sql, principal, [id]);
  if (!row) throw notFound("top-up", id);
  return row;
}

/** An account's top-ups, newest first, optionally of one status, created in a range. */
export function accountTopups(
  sql: SqlClient,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
  filter: { readonly status?: TopupRecord["status"] | undefined; readonly created?: CreatedBounds | undefined },
): Promise<TopupRecord[]> {
  return listTopups(sql, principal, accountId, page, filter);
}
