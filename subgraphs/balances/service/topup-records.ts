import type { Topup as TopupRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Tx } from "../../shared/db/database.ts";
import { toBigInt } from "../../shared/db/decimal.ts";
import { notFound } from "../../shared/errors.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";

export interface TopupRecord {
  readonly id: string;
  readonly accountId: string;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly status: "PENDING" | "SUCCEEDED";
  readonly description: string | null;
  readonly settlesAt: Date;
  readonly settledAt: Date | null;
  readonly balanceTransactionId: string;
  readonly createdAt: Date;
}

export function topupRecord(row: TopupRow): TopupRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`top-up ${row.id} has an unknown currency`);
  return {
    id: row.id,
    accountId: row.accountId,
    amount: toBigInt(row.amount),
    currency,
    status: row.status,
    description: row.description,
    settlesAt: row.settlesAt,
    settledAt: row.settledAt,
    balanceTransactionId: row.balanceTransactionId,
    createdAt: row.createdAt,
  };
}

export async function findTopups(client: Pick<Tx, "topup">, principal: PlatformPrincipal, ids: readonly string[]): Promise<(TopupRecord | null)[]> {
  const rows = await client.topup.findMany({ where: { id: { in: [...ids] }, tenantId: principal.tenantId, livemode: principal.livemode } });
  const byId = new Map(rows.map((row) => [row.id, topupRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function findTopup(client: Pick<Tx, "topup">, principal: PlatformPrincipal, id: string): Promise<TopupRecord> {
  const [row] = await findTopups(client, principal, [id]);
  if (!row) throw notFound("top-up", id);
  return row;
}
