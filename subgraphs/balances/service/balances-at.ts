// Balances at a moment (Account.balances(at:)): the ledger's point-in-time read, behind the one
// rule the API adds to it. A moment still to come is refused rather than answered: its balances
// may yet change, and an answer that later turns out different is worse than none.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { badInput } from "../../shared/errors.ts";
import type { AccountId } from "../../shared/ids.ts";
import { readBalancesAt, type AccountBalance } from "../../ledger/api.ts";

/** BAD_USER_INPUT (argument `at`) for a moment after `now` (this process's clock). */
export function checkBalancesMoment(at: Date, now: Date = new Date()): void {
  if (at.getTime() > now.getTime()) throw badInput("at is in the future", "at");
}

/** Many accounts' balances at one moment, in one query; accounts outside the caller's tenant have none. */
export async function balancesAt(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountIds: readonly AccountId[],
  at: Date,
): Promise<Map<AccountId, AccountBalance[]>> {
  checkBalancesMoment(at);
  return readBalancesAt(deps.db, principal, accountIds, at);
}
