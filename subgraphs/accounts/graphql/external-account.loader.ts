import { platformOf, type SubgraphContext } from "../../shared/context.ts";
import { findExternalAccounts, listExternalAccountsOf } from "../service/external-account-records.ts";

/** Bank accounts by id, for `_entities` and `externalAccount(id)`: one query per batch. */
export function externalAccountLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("externalAccounts.byId", (ids: readonly string[]) => findExternalAccounts(context.deps, principal, ids));
}

/** `Account.externalAccounts` for every account of a request: one query. */
export function externalAccountsOfLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("externalAccounts.byAccount", (accountIds: readonly string[]) =>
    listExternalAccountsOf(context.deps, principal, accountIds),
  );
}
