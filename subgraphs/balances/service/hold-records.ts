// Reading holds for use cases and resolvers, inside the caller's tenant and mode.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import type { PageRequest } from "../../shared/pagination.ts";
import type { HoldStatus } from "../domain/holds.ts";
import { findHoldRows, listHolds, type HoldRecord } from "../store/holds.ts";
import type { CreatedBounds } from "../../shared/created-range.ts";

export type { HoldRecord } from "../store/holds.ts";

export function findHolds(sql: SqlClient, principal: PlatformPrincipal, ids: readonly string[]): Promise<(HoldRecord | null)[]> {
  return findHoldRows(sql, principal, ids);
}

/** One hold, or NOT_FOUND (another tenant's included). */
export async function findHold(sql: SqlClient, principal: PlatformPrincipal, id: string): Promise<HoldRecord> {
  const [row] = await findHolds(sql, principal, [id]);
  if (!row) throw notFound("hold", id);
  return row;
}

/** An account's holds, newest first, optionally of one status, created in a range. */
export function accountHolds(
  sql: SqlClient,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
  status?: HoldStatus,
  created?: CreatedBounds,
): Promise<HoldRecord[]> {
  return listHolds(sql, principal, accountId, page, status, created);
}
