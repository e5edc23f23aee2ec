// cancelPayout: only while PENDING (the bank has not been sent it yet). The payout becomes
// CANCELED and its debit is reversed, amount and fee, with a PAYOUT_CANCEL balance transaction,
// in one commit. Errors: NOT_FOUND (also another tenant's), INVALID_STATE (not PENDING any
// more, including when the bank rail sends it first), IDEMPOTENCY_KEY_REUSED / _IN_USE.

import { post } from "../../ledger/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { notFound } from "../../shared/errors.ts";
import { findPayout, PAYOUT_SQL_COLUMNS, payoutFromSql, type PayoutRecord, type PayoutSqlRow } from "./payout-records.ts";
import { writeTransition } from "./transition.ts";

export async function cancelPayout(deps: Dependencies, principal: PlatformPrincipal, id: string, idempotencyKey: string): Promise<PayoutRecord> {
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "cancelPayout", params: { id } },
    { toJson: (payout) => ({ payoutId: payout.id }), fromJson: async (json) => findPayout(deps.db.prisma, principal, json["payoutId"] as string) },
    async (sql, complete) => {
      // The row lock makes the bank rail worker skip this payout (SKIP LOCKED) until we commit.
      const [row] = await sql.query<PayoutSqlRow>(
        `SELECT ${PAYOUT_SQL_COLUMNS} FROM payout WHERE id = $1 AND tenant_id = $2 AND livemode = $3 FOR UPDATE`,
        [id, principal.tenantId, principal.livemode],
      );
      if (!row) throw notFound("payout", id);
      const step = await writeTransition(sql, payoutFromSql(row), { type: "CANCEL" }, new Date(), row.step_ms);
      await complete(step.payout);
      if (step.posting) await post(sql, principal, [step.posting]);
      return step.payout;
    },
  );
}
