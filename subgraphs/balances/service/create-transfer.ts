// createTransfer: a platform moves available funds to one of its connected accounts, at once.
// Errors: NOT_FOUND (destination, including another tenant's), BAD_USER_INPUT, INVALID_STATE
// (closed destination), CURRENCY_MISMATCH, INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED / _IN_USE.
//
// Validates, then hands the transfer to the group commit (transfer-batcher.ts), which writes a
// new idempotency key in the transfer's own commit. A key found used is claimed as every other
// mutation's (shared/idempotency): the first result replayed, a reuse refused, a key in use waited
// for, or (released or expired meanwhile) the transfer queued again under the claim.

import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { checkAmount, checkDescription } from "../domain/money-movement.ts";
import { findTransfer, type TransferRecord } from "./transfer-records.ts";
import { KEY_TAKEN } from "./transfer-batcher.ts";
import { validateKey } from "../../shared/idempotency/idempotency.ts";
import { fingerprint } from "../../shared/idempotency/fingerprint.ts";
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

  const request = { scope: principalScope(principal), key: idempotencyKey, operation: "createTransfer", params: { ...input, description } };
  validateKey(idempotencyKey);
  const transfer = { principal, destinationAccountId: input.destinationAccountId, money, description, idempotencyKey };
  // The usual case, a key not used before: it is written, completed, in the transfer's commit.
  const first = await deps.balances.transfers.submit({ ...transfer, key: { fingerprint: fingerprint(request.operation, request.params) } });
  if (first !== KEY_TAKEN) return first;

  // The key was used before, or is in use: claimed as for every mutation, it replays, refuses or waits.
  const claim = await deps.idempotency.claim(request);
  if (claim.kind === "replay") return findTransfer(deps.db.sql, principal, claim.response["transferId"] as string);
  const claimed = await deps.balances.transfers.submit({ ...transfer, key: { claimToken: claim.token } });
  if (claimed === KEY_TAKEN) throw new Error("a claimed key is never answered KEY_TAKEN");
  return claimed;
}
