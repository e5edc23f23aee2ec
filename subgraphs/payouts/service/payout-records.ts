// Reading payouts, always inside the caller's tenant and mode. Records speak bigint; Prisma's
// Decimal is converted here, at the edge.

import type { Payout as PayoutRow } from "../../../prisma/generated/client.ts";
import { storedMetadata, type Metadata } from "../../accounts/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { PrismaClient } from "../../shared/db/database.ts";
import { toBigInt } from "../../shared/db/decimal.ts";
import { notFound } from "../../shared/errors.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { afterPosition, type PageRequest } from "../../shared/pagination.ts";
import type { PayoutStatus } from "../domain/lifecycle.ts";
import type { PayoutMethod } from "../domain/pricing.ts";

export type { PayoutStatus };

export interface PayoutRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly livemode: boolean;
  readonly accountId: string;
  readonly destinationId: string;
  readonly currency: Currency;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly method: PayoutMethod;
  readonly status: PayoutStatus;
  readonly arrivalDate: Date;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly statementDescriptor: string | null;
  readonly metadata: Metadata;
  readonly balanceTransactionId: string;
  readonly ledgerTransactionId: string;
  readonly reversalBalanceTransactionId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function payoutRecord(row: PayoutRow): PayoutRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`payout ${row.id} has an unknown currency`);
  return {
    id: row.id,
    tenantId: row.tenantId,
    livemode: row.livemode,
    accountId: row.accountId,
    destinationId: row.destinationId,
    currency,
    amount: toBigInt(row.amount),
    fee: toBigInt(row.fee),
    method: row.method,
    status: row.status,
    arrivalDate: row.arrivalDate,
    failureCode: row.failureCode,
    failureMessage: row.failureMessage,
    statementDescriptor: row.statementDescriptor,
    metadata: storedMetadata(row.metadata),
    balanceTransactionId: row.balanceTransactionId,
    ledgerTransactionId: row.ledgerTransactionId,
    reversalBalanceTransactionId: row.reversalBalanceTransactionId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function findPayouts(
  client: Pick<PrismaClient, "payout">,
  principal: PlatformPrincipal,
  ids: readonly string[],
): Promise<(PayoutRecord | null)[]> {
  const rows = await client.payout.findMany({
    where: { id: { in: [...ids] }, tenantId: principal.tenantId, livemode: principal.livemode },
  });
  const byId = new Map(rows.map((row) => [row.id, payoutRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function findPayout(client: Pick<PrismaClient, "payout">, principal: PlatformPrincipal, id: string): Promise<PayoutRecord> {
  const [record] = await findPayouts(client, principal, [id]);
  if (!record) throw notFound("payout", id);
  return record;
}

export async function listPayouts(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
  status?: PayoutStatus,
): Promise<PayoutRecord[]> {
  const rows = await deps.db.prisma.payout.findMany({
    where: {
      tenantId: principal.tenantId,
      livemode: principal.livemode,
      accountId,
      ...(status ? { status } : {}),
      ...afterPosition(page.after),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.take,
  });
  return rows.map(payoutRecord);
}

/** The columns raw SQL reads a payout by, shaped for `payoutFromSql`. */
export const PAYOUT_SQL_COLUMNS = `id, tenant_id, livemode, account_id, destination_id, currency, amount::text AS amount, fee::text AS fee,
  method::text AS method, status::text AS status, arrival_date, failure_code, failure_message, statement_descriptor, metadata,
  balance_transaction_id, ledger_transaction_id, reversal_balance_transaction_id, rail_failure_code, step_ms, created_at, updated_at`;

export interface PayoutSqlRow {
  id: string;
  tenant_id: string;
  livemode: boolean;
  account_id: string;
  destination_id: string;
  currency: string;
  amount: string;
  fee: string;
  method: PayoutMethod;
  status: PayoutStatus;
  arrival_date: Date;
  failure_code: string | null;
  failure_message: string | null;
  statement_descriptor: string | null;
  metadata: unknown;
  balance_transaction_id: string;
  ledger_transaction_id: string;
  reversal_balance_transaction_id: string | null;
  rail_failure_code: string | null;
  step_ms: number;
  created_at: Date;
  updated_at: Date;
}

export function payoutFromSql(row: PayoutSqlRow): PayoutRecord {
  const currency = parseCurrency(row.currency);
  if (!currency) throw new Error(`payout ${row.id} has an unknown currency`);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    livemode: row.livemode,
    accountId: row.account_id,
    destinationId: row.destination_id,
    currency,
    amount: BigInt(row.amount),
    fee: BigInt(row.fee),
    method: row.method,
    status: row.status,
    arrivalDate: new Date(row.arrival_date),
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    statementDescriptor: row.statement_descriptor,
    metadata: storedMetadata(typeof row.metadata === "string" ? JSON.parse(row.metadata) : row.metadata),
    balanceTransactionId: row.balance_transaction_id,
    ledgerTransactionId: row.ledger_transaction_id,
    reversalBalanceTransactionId: row.reversal_balance_transaction_id,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
