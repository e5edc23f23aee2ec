// createHold: part of an account's available balance is reserved: it leaves available for the
// account's held balance at once (a HOLD balance transaction), until it is captured, released or
// expires (capture-hold.ts, release-hold.ts, expire-holds.ts). The hold row and its posting are
// one commit. Allowed in live mode, like transfers: no external rail is involved.
// Errors: NOT_FOUND (account, also another tenant's), BAD_USER_INPUT (amount, currency,
// description, expiresAt), INVALID_STATE (closed account), INSUFFICIENT_FUNDS,
// IDEMPOTENCY_KEY_REUSED / _IN_USE. A refusal writes nothing.

import { accountFacts } from "../../accounts/api.ts";
import { post } from "../../ledger/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { notFound, refused } from "../../shared/errors.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { checkHoldAccount, holdExpiry, holdPosting } from "../domain/holds.ts";
import { checkAmount, checkDescription } from "../domain/money-movement.ts";
import { insertHold, type HoldRecord } from "../store/holds.ts";
import { findHold } from "./hold-records.ts";

export interface CreateHoldInput {
  readonly accountId: AccountId;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly description?: string | null | undefined;
  /** Omitted: 7 days from now (or HOLD_MAX_EXPIRY_MS, if shorter). */
  readonly expiresAt?: Date | null | undefined;
}

export async function createHold(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: CreateHoldInput,
  idempotencyKey: string,
): Promise<HoldRecord> {
  const money = checkAmount(input.amount, input.currency);
  if (isRefusal(money)) throw refused(money);
  const description = checkDescription(input.description);
  if (isRefusal(description)) throw refused(description);
  const params = { ...input, description: description ?? null, expiresAt: input.expiresAt?.toISOString() ?? null };
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "createHold", params },
    { toJson: (hold) => ({ holdId: hold.id }), fromJson: async (json) => findHold(deps.db.sql, principal, json["holdId"] as string) },
    async (sql, complete) => {
      // Checked once the key is claimed, against the time it runs: a replay of a hold created
      // with an expiresAt near the minimum answers the first result instead of refusing it.
      const now = new Date();
      const expiresAt = holdExpiry(input.expiresAt, now, deps.config.HOLD_MAX_EXPIRY_MS);
      if (isRefusal(expiresAt)) throw refused(expiresAt);
      // FOR SHARE: the account cannot be closed under us (closing also refuses a held balance).
      const account = await accountFacts(sql, principal, input.accountId);
      if (!account) throw notFound("account", input.accountId);
      const problem = checkHoldAccount(account);
      if (problem) throw refused(problem);

      const hold: HoldRecord = {
        id: newId("hold"),
        tenantId: principal.tenantId,
        livemode: principal.livemode,
        accountId: account.id as AccountId,
        currency: money.currency,
        amount: money.amount,
        capturedAmount: null,
        destinationAccountId: null,
        status: "ACTIVE",
        description: description ?? null,
        expiresAt,
        balanceTransactionId: newId("balanceTransaction"),
        releaseBalanceTransactionId: null,
        captureBalanceTransactionId: null,
        destinationBalanceTransactionId: null,
        createdAt: now,
        capturedAt: null,
        releasedAt: null,
      };
      await insertHold(sql, hold);
      await complete(hold);
      // INSUFFICIENT_FUNDS from the ledger (available would go below zero) rolls all of it back.
      await post(sql, principal, [
        holdPosting(hold, {
          ledgerTransactionId: newId("ledgerTransaction"),
          balanceTransactionId: hold.balanceTransactionId,
          at: now,
          description: description ?? `Hold ${hold.id}`,
        }),
      ]);
      return hold;
    },
  );
}
