// submitVerification: the details of the person behind a connected account (simulated KYC).
// Test mode decides at once by the id number (domain/verification.ts); live mode records the
// submission and waits for a review that no provider performs yet.
// Errors: NOT_FOUND, BAD_USER_INPUT, INVALID_STATE (platform, closed, or already verified).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { decide, refuseSubmission, stateAfter, validateVerification, type VerificationInput } from "../domain/verification.ts";
import { lockAccount, type AccountRecord } from "./account-records.ts";
import { updateAccount } from "../store/accounts.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { refused, throwIfRefused } from "../../shared/errors.ts";

export async function submitVerification(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  input: VerificationInput,
  now = new Date(),
): Promise<AccountRecord> {
  const valid = validateVerification(input, now);
  if (isRefusal(valid)) throw refused(valid.under("input"));
  return inTransaction(deps.db, async (sql) => {
    const account = await lockAccount(sql, principal, accountId);
    throwIfRefused(refuseSubmission(account));
    const next = stateAfter(decide(valid, account.livemode));
    return updateAccount(sql, account.id, {
      ...next,
      legalName: valid.legalName,
      dateOfBirth: valid.dateOfBirth,
      idNumberLast4: valid.idNumberLast4,
      addressLine1: valid.address.line1,
      addressCity: valid.address.city,
      addressPostalCode: valid.address.postalCode,
      addressCountry: valid.address.country,
      verificationSubmittedAt: now,
    });
  });
}
