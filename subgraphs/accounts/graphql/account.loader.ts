import type { SubgraphContext } from "../../shared/context.ts";
import { platformOf } from "../../shared/context.ts";
import { findAccounts } from "../service/account-records.ts";

/** Batches every account lookup of a request (fields and `_entities`) into one query. */
export function accountLoader(context: SubgraphContext) {
  const principal = platformOf(context);
  return context.loader("accounts.byId", (ids: readonly string[]) => findAccounts(context.deps, principal, ids));
}
