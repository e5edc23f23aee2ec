// Reading transfers for use cases and resolvers, inside the caller's tenant and mode.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import type { CreatedBounds } from "../../shared/created-range.ts";
import type { PageRequest } from "../../shared/pagination.ts";
import { findTransferRows, listTransfers, type TransferRecord } from "../store/transfers.ts";

export type { TransferRecord } from "../store/transfers.ts";

export function findTransfers(sql: SqlClient, principal: PlatformPrincipal, ids: readonly string[]): Promise<(TransferRecord | null)[]> {
  return findTransferRows(sql, principal, ids);
}

export async function findTransfer(sql: SqlClient, principal: PlatformPrincipal, id: string): Promise<TransferRecord> {
  const [row] = await findTransfers(sql, principal, [id]);
  if (!row) throw notFound("transfer", id);
  return row;
}

/**
 * An account's transfers, newest first: the platform's (the tenant's own account) those it sent,
 * optionally to one connected account; a connected account's those it received.
 */
export function accountTransfers(
  sql: SqlClient,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
  filter: { readonly destinationAccountId?: string | undefined; readonly created?: CreatedBounds | undefined },
): Promise<TransferRecord[]> {
  const side = accountId === principal.tenantId ? "source" : "destination";
  return listTransfers(sql, principal, accountId, side, page, filter);
}
