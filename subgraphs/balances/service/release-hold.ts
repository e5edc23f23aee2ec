// releaseHold: all of an ACTIVE hold goes back to the account's available balance (a
// HOLD_RELEASE balance transaction), under the hold's row lock (see capture-hold.ts).
// Errors: NOT_FOUND (also another tenant's), INVALID_STATE (captured, released, expired, also
// past expiresAt before the worker ran), IDEMPOTENCY_KEY_REUSED / _IN_USE.

import { post } from "../../ledger/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError, notFound, refused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { holdStep, releasePosting } from "../domain/holds.ts";
import { finishHolds, lockHold, type HoldRecord } from "../store/holds.ts";
import { findHold } from "./hold-records.ts";

export async function releaseHold(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
  idempotencyKey: string,
): Promise<HoldRecord> {
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "releaseHold", params: { id } },
    { toJson: (hold) => ({ holdId: hold.id }), fromJson: async (json) => findHold(deps.db.sql, principal, json["holdId"] as string) },
    async (sql, complete) => {
      const hold = await lockHold(sql, principal, id);
      if (!hold) throw notFound("hold", id);
      const now = new Date();
      const step = holdStep(hold, "RELEASE", now);
      if (isRefusal(step)) throw refused(step);
      const releaseBalanceTransactionId = newId("balanceTransaction");
      const released: HoldRecord = { ...hold, status: step.to, releasedAt: now, releaseBalanceTransactionId };
      const written = await finishHolds(sql, [{ id: hold.id, status: step.to, at: now, releaseBalanceTransactionId }]);
      if (!written.has(hold.id)) throw new AppError("INVALID_STATE", `The hold ${hold.id} is no longer active`);
      await complete(released);
      await post(sql, principal, [
        releasePosting(hold, "HOLD_RELEASE", {
          ledgerTransactionId: newId("ledgerTransaction"),
          balanceTransactionId: releaseBalanceTransactionId,
          at: now,
          description: `Release of hold ${hold.id}`,
        }),
      ]);
      return released;
    },
  );
}
