// Per-request DataLoaders (created through context.loader, never at module scope): one query per
// batch of ids, always inside the caller's tenant and mode.

import { platformOf, type SubgraphContext } from "../../shared/context.ts";
import { notFound } from "../../shared/errors.ts";
import { conversionsByIds, depositsByIds, quotesByIds, walletsByIds, withdrawalsByIds } from "../service/read-crypto.ts";

export function walletLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("crypto.wallets.byId", (ids: readonly string[]) => walletsByIds(context.deps, principal, ids));
}

export function quoteLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("crypto.quotes.byId", (ids: readonly string[]) => quotesByIds(context.deps, principal, ids));
}

export function conversionLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("crypto.conversions.byId", (ids: readonly string[]) => conversionsByIds(context.deps, principal, ids));
}

export function withdrawalLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("crypto.withdrawals.byId", (ids: readonly string[]) => withdrawalsByIds(context.deps, principal, ids));
}

export function depositLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("crypto.deposits.byId", (ids: readonly string[]) => depositsByIds(context.deps, principal, ids));
}

/** Loads one object or answers NOT_FOUND (another tenant's object included). */
export async function mustLoad<T>(load: Promise<T | null>, what: string, id: string): Promise<T> {
  const row = await load;
  if (!row) throw notFound(what, id);
  return row;
}
