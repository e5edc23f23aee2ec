// In-process API for the accounts subgraph: how many of an account's payouts are still on the
// bank rail (PENDING or IN_TRANSIT), read in the caller's transaction. closeAccount refuses while
// there are any: a payout that failed after its account closed would credit a closed account.

import type { SqlClient } from "../../shared/db/database.ts";
import { countPayoutsInFlight, type TenantScope } from "../store.ts";
import type { AccountId } from "../../shared/ids.ts";

export async function payoutsInFlight(sql: SqlClient, scope: TenantScope, accountId: AccountId): Promise<number> {
  return countPayoutsInFlight(sql, scope, accountId);
}
