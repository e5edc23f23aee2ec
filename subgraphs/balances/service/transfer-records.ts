// Reading transfers for use cases and resolvers, inside the caller's tenant and mode.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import { findTransferRows, type TransferRecord } from "../store/transfers.ts";

export type { TransferRecord } from "../store/transfers.ts";

export function findTransfers(sql: SqlClient, principal: PlatformPrincipal, ids: readonly string[]): Promise<(TransferRecord | null)[]> {
  return findTransferRows(sql, principal, ids);
}

export async function findTransfer(sql: SqlClient, principal: PlatformPrincipal, id: string): Promise<TransferRecord> {
  const [row] = await findTransfers(sql, principal, [id]);
  if (!row) throw notFound("transfer", id);
  return row;
}
