import type { Transfer as TransferRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Tx } from "../../shared/db/database.ts";
import { toBigInt } from "../../shared/db/decimal.ts";
import { notFound } from "../../shared/errors.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";

export interface TransferRecord {
  readonly id: string;
  readonly sourceAccountId: string;
  readonly destinationAccountId: string;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly description: string | null;
  readonly balanceTransactionId: string;
  readonly destinationBalanceTransactionId: string;
  readonly createdAt: Date;
}

export function transferRecord(row: TransferRow): TransferRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`transfer ${row.id} has an unknown currency`);
  return {
    id: row.id,
    sourceAccountId: row.sourceAccountId,
    destinationAccountId: row.destinationAccountId,
    amount: toBigInt(row.amount),
    currency,
    description: row.description,
    balanceTransactionId: row.balanceTransactionId,
    destinationBalanceTransactionId: row.destinationBalanceTransactionId,
    createdAt: row.createdAt,
  };
}

export async function findTransfers(client: Pick<Tx, "transfer">, principal: PlatformPrincipal, ids: readonly string[]): Promise<(TransferRecord | null)[]> {
  const rows = await client.transfer.findMany({ where: { id: { in: [...ids] }, tenantId: principal.tenantId, livemode: principal.livemode } });
  const byId = new Map(rows.map((row) => [row.id, transferRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function findTransfer(client: Pick<Tx, "transfer">, principal: PlatformPrincipal, id: string): Promise<TransferRecord> {
  const [row] = await findTransfers(client, principal, [id]);
  if (!row) throw notFound("transfer", id);
  return row;
}
