// Reading the customer-facing balance history (txn_…), always inside the caller's tenant and mode.

import type { BalanceTransaction as BalanceTransactionRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { afterPosition, type PageRequest } from "../../shared/pagination.ts";

export type { BalanceTransactionRow };

export async function findBalanceTransactions(
  deps: Dependencies,
  principal: PlatformPrincipal,
  ids: readonly string[],
): Promise<(BalanceTransactionRow | null)[]> {
  const rows = await deps.db.prisma.balanceTransaction.findMany({
    where: { id: { in: [...ids] }, tenantId: principal.tenantId, livemode: principal.livemode },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function listBalanceTransactions(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
): Promise<BalanceTransactionRow[]> {
  return deps.db.prisma.balanceTransaction.findMany({
    where: { tenantId: principal.tenantId, livemode: principal.livemode, accountId, ...afterPosition(page.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.take,
  });
}
