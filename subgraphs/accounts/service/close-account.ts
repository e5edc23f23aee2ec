// closeAccount: a connected account stops for good: no payouts, no transfers, no changes; it
// stays readable, with its bank accounts, for history. Refused while it holds funds: the balance
// is read under the account's row lock, and top-ups, transfers and payouts take that row FOR
// SHARE (accountFacts), so no money can arrive between the check and the close. Closing a
// closed account changes nothing.
// Also refused while a payout is PENDING or IN_TRANSIT (it could still fail and credit back).
// Errors: NOT_FOUND, FORBIDDEN (the platform's own account), INVALID_STATE (holds funds, or has
// payouts in flight).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { readBalances } from "../../ledger/api.ts";
import { payoutsInFlight } from "../../payouts/api.ts";
import { AppError, throwIfRefused } from "../../shared/errors.ts";
import { CLOSED_STATE, refuseClosing } from "../domain/account.ts";
import { lockAccount, type AccountRecord } from "./account-records.ts";
import { updateAccount } from "../store/accounts.ts";

export async function closeAccount(deps: Dependencies, principal: PlatformPrincipal, id: string, now = new Date()): Promise<AccountRecord> {
  return inTransaction(deps.db, async (sql) => {
    const account = await lockAccount(sql, principal, id);
    if (account.status === "CLOSED") return account;
    throwIfRefused(refuseClosing(account));
    const balances = await readBalances(sql, principal, [account.id]);
    throwIfRefused(refuseClosing(account, balances.get(account.id) ?? []));
    const inFlight = await payoutsInFlight(sql, principal, account.id);
    if (inFlight > 0)
      throw new AppError("INVALID_STATE", `The account has ${inFlight} payout(s) in flight; close it once they are paid or failed`);
    return updateAccount(sql, account.id, { ...CLOSED_STATE, closedAt: now });
  });
}
