// Withdrawals and deposits as records (bigint amounts), read in the caller's tenant and mode.

import type { CryptoDeposit as DepositRow, CryptoWithdrawal as WithdrawalRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { toBigInt } from "../../shared/db/decimal.ts";
import { afterPosition, type PageRequest } from "../../shared/pagination.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { isNetwork, type Network } from "../domain/assets.ts";
import type { WithdrawalStatus } from "../domain/withdrawal.ts";

export interface WithdrawalRecord {
  readonly id: string;
  readonly accountId: string;
  readonly walletId: string;
  readonly livemode: boolean;
  readonly asset: Currency;
  readonly network: Network;
  readonly address: string;
  readonly amount: bigint;
  readonly networkFee: bigint;
  readonly status: WithdrawalStatus;
  readonly transactionHash: string | null;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly balanceTransactionId: string;
  readonly ledgerTransactionId: string;
  readonly failureBalanceTransactionId: string | null;
  readonly nextStepAt: Date | null;
  readonly broadcastAt: Date | null;
  readonly completedAt: Date | null;
  readonly createdAt: Date;
}

export interface DepositRecord {
  readonly id: string;
  readonly accountId: string;
  readonly walletId: string;
  readonly asset: Currency;
  readonly network: Network;
  readonly amount: bigint;
  readonly transactionHash: string;
  readonly balanceTransactionId: string;
  readonly createdAt: Date;
}

function assetNetwork(id: string, asset: string, network: string): { asset: Currency; network: Network } {
  const currency = parseCurrency(asset);
  if (!currency || !isNetwork(network)) throw new Error(`${id} holds an unknown asset or network`);
  return { asset: currency, network };
}

export function withdrawalRecord(row: WithdrawalRow): WithdrawalRecord {
  return {
    ...row,
    ...assetNetwork(row.id, row.asset, row.network),
    amount: toBigInt(row.amount),
    networkFee: toBigInt(row.networkFee),
  };
}

export function depositRecord(row: DepositRow): DepositRecord {
  return { ...row, ...assetNetwork(row.id, row.asset, row.network), amount: toBigInt(row.amount) };
}

const scoped = (principal: PlatformPrincipal) => ({ tenantId: principal.tenantId, livemode: principal.livemode });

export async function findWithdrawals(deps: Dependencies, principal: PlatformPrincipal, ids: readonly string[]): Promise<(WithdrawalRecord | null)[]> {
  const rows = await deps.db.prisma.cryptoWithdrawal.findMany({ where: { id: { in: [...ids] }, ...scoped(principal) } });
  const byId = new Map(rows.map((row) => [row.id, withdrawalRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function findDeposits(deps: Dependencies, principal: PlatformPrincipal, ids: readonly string[]): Promise<(DepositRecord | null)[]> {
  const rows = await deps.db.prisma.cryptoDeposit.findMany({ where: { id: { in: [...ids] }, ...scoped(principal) } });
  const byId = new Map(rows.map((row) => [row.id, depositRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** A wallet's withdrawals, newest first. */
export async function listWithdrawals(deps: Dependencies, principal: PlatformPrincipal, walletId: string, page: PageRequest): Promise<WithdrawalRecord[]> {
  const rows = await deps.db.prisma.cryptoWithdrawal.findMany({
    where: { walletId, ...scoped(principal), ...afterPosition(page.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.take,
  });
  return rows.map(withdrawalRecord);
}

/** A wallet's deposits, newest first. */
export async function listDeposits(deps: Dependencies, principal: PlatformPrincipal, walletId: string, page: PageRequest): Promise<DepositRecord[]> {
  const rows = await deps.db.prisma.cryptoDeposit.findMany({
    where: { walletId, ...scoped(principal), ...afterPosition(page.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.take,
  });
  return rows.map(depositRecord);
}
