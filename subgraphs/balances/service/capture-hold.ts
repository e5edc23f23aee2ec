// captureHold: moves up to the held amount (once; a partial capture releases the rest) to a
// destination of the same platform: the platform itself by default, or destinationAccountId.
// The whole hold leaves HELD, the captured part goes on to the destination's available balance,
// in one ledger transaction (HOLD_CAPTURE and HOLD_RELEASE for the holder, HOLD_CAPTURE for the
// destination). Under the hold's row lock, so a capture, a release and the expiry worker of one
// hold take turns and only the first changes it.
// Errors: NOT_FOUND (hold or destination, also another tenant's), BAD_USER_INPUT (amount above
// the hold or not a valid amount, the hold's own account as destination, no destination for a
// hold on the platform's account), INVALID_STATE (captured, released, expired, also past
// expiresAt before the worker ran; a closed destination), IDEMPOTENCY_KEY_REUSED / _IN_USE.

import { accountFacts } from "../../accounts/api.ts";
import { post } from "../../ledger/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError, notFound, refused } from "../../shared/errors.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { captureDestinationId, capturePosting, checkCapture, checkCaptureDestination, holdStep } from "../domain/holds.ts";
import { finishHolds, lockHold, type HoldRecord } from "../store/holds.ts";
import { findHold } from "./hold-records.ts";

export interface CaptureHoldInput {
  readonly amount: bigint;
  /** Omitted: the platform (tenant) itself. */
  readonly destinationAccountId?: AccountId | null | undefined;
}

export async function captureHold(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
  input: CaptureHoldInput,
  idempotencyKey: string,
): Promise<HoldRecord> {
  const params = { id, amount: input.amount, destinationAccountId: input.destinationAccountId ?? null };
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "captureHold", params },
    { toJson: (hold) => ({ holdId: hold.id }), fromJson: async (json) => findHold(deps.db.sql, principal, json["holdId"] as string) },
    async (sql, complete) => {
      const hold = await lockHold(sql, principal, id);
      if (!hold) throw notFound("hold", id);
      const now = new Date();
      const step = holdStep(hold, "CAPTURE", now);
      if (isRefusal(step)) throw refused(step);
      const money = checkCapture(hold, input.amount);
      if (isRefusal(money)) throw refused(money);
      const destinationId = captureDestinationId(hold, input.destinationAccountId ?? undefined);
      if (isRefusal(destinationId)) throw refused(destinationId);
      // FOR SHARE: the destination cannot be closed under us.
      const destination = await accountFacts(sql, principal, destinationId);
      if (!destination) throw notFound("account", destinationId);
      const closed = checkCaptureDestination(destination);
      if (closed) throw refused(closed);

      const ids = {
        ledgerTransactionId: newId("ledgerTransaction"),
        captureBalanceTransactionId: newId("balanceTransaction"),
        releaseBalanceTransactionId: newId("balanceTransaction"),
        destinationBalanceTransactionId: newId("balanceTransaction"),
      };
      const captured: HoldRecord = {
        ...hold,
        status: step.to,
        capturedAmount: money.amount,
        destinationAccountId: destinationId,
        capturedAt: now,
        releasedAt: now,
        releaseBalanceTransactionId: ids.releaseBalanceTransactionId,
        captureBalanceTransactionId: ids.captureBalanceTransactionId,
        destinationBalanceTransactionId: ids.destinationBalanceTransactionId,
      };
      const written = await finishHolds(sql, [
        {
          id: hold.id,
          status: step.to,
          at: now,
          releaseBalanceTransactionId: ids.releaseBalanceTransactionId,
          capture: {
            amount: money.amount,
            destinationAccountId: destinationId,
            captureBalanceTransactionId: ids.captureBalanceTransactionId,
            destinationBalanceTransactionId: ids.destinationBalanceTransactionId,
          },
        },
      ]);
      if (!written.has(hold.id)) throw new AppError("INVALID_STATE", `The hold ${hold.id} is no longer active`);
      await complete(captured);
      await post(sql, principal, [
        capturePosting(hold, money.amount, destinationId, {
          ...ids,
          at: now,
          description: hold.description ?? `Capture of hold ${hold.id}`,
        }),
      ]);
      return captured;
    },
  );
}
