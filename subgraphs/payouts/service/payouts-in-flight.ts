// In-process API for the accounts subgraph: how many of an account's payouts are still on the
// bank rail (PENDING or IN_TRANSIT). closeAccount refuses while there are any: a payout that
// failed after its account closed would credit a closed account.

import type { SqlClient } from "../../shared/db/database.ts";

export async function payoutsInFlight(sql: SqlClient, scope: { readonly tenantId: string; readonly livemode: boolean }, accountId: string): Promise<number> {
  const [row] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM payout WHERE account_id = $1 AND tenant_id = $2 AND livemode = $3 AND status IN ('PENDING', 'IN_TRANSIT')`,
    [accountId, scope.tenantId, scope.livemode],
  );
  return row?.n ?? 0;
}
