// cancelPayout: only while PENDING (the bank has not been sent it yet). The payout becomes
// CANCELED and its debit is reversed, amount and fee, with a PAYOUT_CANCEL balance transaction,
// in one commit. Errors: NOT_FOUND (also another tenant's), INVALID_STATE (not PENDING any
// more, including when the bank rail sends it first), IDEMPOTENCY_KEY_REUSED / _IN_USE.

import { post } from "../../ledger/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { notFound } from "../../shared/errors.ts";
import { lockPayout, type PayoutRecord } from "../store.ts";
import { findPayout } from "./read-payouts.ts";
import { writeTransition } from "./transition.ts";

export async function cancelPayout(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
  idempotencyKey: string,
): Promise<PayoutRecord> {
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "cancelPayout", params: { id } },
    { toJson: (payout) => ({ payoutId: payout.id }), fromJson: async (json) => findPayout(deps, principal, json["payoutId"] as string) },
    async (sql, complete) => {
      // The row lock makes the bank rail worker skip this payout (SKIP LOCKED) until we commit.
      const payout = await lockPayout(sql, principal, id);
      if (!payout) throw notFound("payout", id);
      const step = await writeTransition(sql, payout, { type: "CANCEL" }, new Date());
      await complete(step.payout);
      if (step.posting) await post(sql, principal, [step.posting]);
      return step.payout;
    },
  );
}
