// Whether an account id names an account the caller may see: of its tenant, and of its mode (the
// platform itself is visible in both), the rule of accountFacts in the accounts subgraph's
// in-process API. That one locks the row (FOR SHARE) for use inside a money-moving transaction;
// a subscription only needs to look, so this is a plain indexed read. Another tenant's account
// is indistinguishable from one that does not exist.

import { accountVisible } from "../../accounts/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { notFound } from "../../shared/errors.ts";
import { parseId } from "../../shared/ids.ts";

export async function assertAccountVisible(deps: Dependencies, principal: PlatformPrincipal, accountId: string): Promise<void> {
  const id = parseId("account", accountId);
  if (!id || !(await accountVisible(deps.db.sql, principal, id))) throw notFound("account", accountId);
}
