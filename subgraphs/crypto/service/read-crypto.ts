// Reading the crypto module's objects for the API: by id (batched per request by the resolvers'
// loaders), an account's wallets, a wallet's withdrawals and deposits, and the balances wallets
// show; always inside the caller's tenant and mode, as records.

import { readBalances, type AccountBalance } from "../../ledger/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { AccountId } from "../../shared/ids.ts";
import type { PageRequest } from "../../shared/pagination.ts";
import { findDeposits, listDeposits, type DepositRecord } from "../store/deposits.ts";
import { findConversions, findQuotes, listConversions, listQuotes, type ConversionRecord, type QuoteRecord } from "../store/quotes.ts";
import type { CreatedBounds } from "../../shared/created-range.ts";
import type { QuoteStatus } from "../domain/conversion.ts";
import type { WithdrawalStatus } from "../domain/withdrawal.ts";
import { findWallets, walletsOfAccounts, type WalletRecord } from "../store/wallets.ts";
import { findWithdrawals, listWithdrawals, type WithdrawalRecord } from "../store/withdrawals.ts";

type ById<T> = (deps: Dependencies, principal: PlatformPrincipal, ids: readonly string[]) => Promise<(T | null)[]>;

export const walletsByIds: ById<WalletRecord> = (deps, principal, ids) => findWallets(deps.db.sql, principal, ids);
export const quotesByIds: ById<QuoteRecord> = (deps, principal, ids) => findQuotes(deps.db.sql, principal, ids);
export const conversionsByIds: ById<ConversionRecord> = (deps, principal, ids) => findConversions(deps.db.sql, principal, ids);
export const withdrawalsByIds: ById<WithdrawalRecord> = (deps, principal, ids) => findWithdrawals(deps.db.sql, principal, ids);
export const depositsByIds: ById<DepositRecord> = (deps, principal, ids) => findDeposits(deps.db.sql, principal, ids);

/** The wallets of many accounts, oldest first per account. */
export function accountsWallets(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountIds: readonly string[],
): Promise<WalletRecord[][]> {
  return walletsOfAccounts(deps.db.sql, principal, accountIds);
}

/** A wallet's withdrawals, newest first, optionally of one status. */
export function walletWithdrawals(
  deps: Dependencies,
  principal: PlatformPrincipal,
  walletId: string,
  page: PageRequest,
  status?: WithdrawalStatus,
): Promise<WithdrawalRecord[]> {
  return listWithdrawals(deps.db.sql, principal, walletId, page, status);
}

/** An account's quotes, newest first, optionally of one status (as of `now`), created in a range. */
export function accountQuotes(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
  filter: { readonly status?: QuoteStatus | undefined; readonly created?: CreatedBounds | undefined; readonly now: Date },
): Promise<QuoteRecord[]> {
  return listQuotes(deps.db.sql, principal, accountId, page, filter);
}

/** An account's conversions, newest first, created in a range if given. */
export function accountConversions(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  page: PageRequest,
  created: CreatedBounds | undefined,
): Promise<ConversionRecord[]> {
  return listConversions(deps.db.sql, principal, accountId, page, created);
}

/** A wallet's deposits, newest first. */
export function walletDeposits(
  deps: Dependencies,
  principal: PlatformPrincipal,
  walletId: string,
  page: PageRequest,
): Promise<DepositRecord[]> {
  return listDeposits(deps.db.sql, principal, walletId, page);
}

/** The balances of many accounts in one query (the ledger module, in-process), per account. */
export async function accountsBalances(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountIds: readonly AccountId[],
): Promise<(readonly AccountBalance[])[]> {
  const balances = await readBalances(deps.db, principal, accountIds);
  return accountIds.map((id) => balances.get(id) ?? []);
}
