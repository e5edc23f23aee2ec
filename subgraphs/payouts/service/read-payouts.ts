// Reading payouts for the API: by id (batched per request by the resolvers' loader) and an
// account's list, always inside the caller's tenant and mode, as records.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { notFound } from "../../shared/errors.ts";
import type { PageRequest } from "../../shared/pagination.ts";
import type { CreatedBounds } from "../../shared/created-range.ts";
import { findPayouts, listPayouts, type PayoutRecord, type PayoutStatus } from "../store.ts";

export function payoutsByIds(deps: Dependencies, principal: PlatformPrincipal, ids: readonly string[]): Promise<(PayoutRecord | null)[]> {
  return findPayouts(deps.db.sql, principal, ids);
}

/** One payout, or NOT_FOUND (another tenant's included). */
export async function findPayout(deps: Dependencies, principal: PlatformPrincipal, id: string): Promise<PayoutRecord> {
  const [payout] = await findPayouts(deps.db.sql, principal, [id]);
  if (!payout) throw notFound("payout", id);
  return payout;
}

/** An account's payouts, newest first, optionally of one status, created in a range. */
export function accountPayouts(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
  status?: PayoutStatus,
  created?: CreatedBounds,
): Promise<PayoutRecord[]> {
  return listPayouts(deps.db.sql, principal, accountId, page, status, created);
}
