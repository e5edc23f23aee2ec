// createTransfer: a platform moves available funds to one of its connected accounts, at once.
// Errors: NOT_FOUND (destination, including another tenant's), BAD_USER_INPUT, INVALID_STATE
// (closed destination), CURRENCY_MISMATCH, INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED / _IN_USE.
//
// Validates, claims the idempotency key (or replays the first result), then hands the transfer
// to the platform's group commit (transfer-batcher.ts).

import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { checkAmount, checkDescription } from "../domain/money-movement.ts";
import { findTransfer, type TransferRecord } from "./transfer-records.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { refused } from "../../shared/errors.ts";
import type { AccountId } from "../../shared/ids.ts";

export interface CreateTransferInput {
  readonly destinationAccountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly description?: string | null | undefined;
}

export async function createTransfer(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: CreateTransferInput,
  idempotencyKey: string,
): Promise<TransferRecord> {
  const money = checkAmount(input.amount, input.currency);
  if (isRefusal(money)) throw refused(money);
  const description = checkDescription(input.description);
  if (isRefusal(description)) throw refused(description);

  const claim = await deps.idempotency.claim({
    scope: principalScope(principal),
    key: idempotencyKey,
    operation: "createTransfer",
    params: { ...input, description },
  });
  if (claim.kind === "replay") return findTransfer(deps.db.sql, principal, claim.response["transferId"] as string);
  return deps.balances.transfers.submit({
    principal,
    destinationAccountId: input.destinationAccountId,
    money,
    description,
    idempotencyKey,
    claimToken: claim.token,
  });
}
