// setDefaultExternalAccount: payouts in this bank account's currency go here unless a payout
// names another destination. Exactly one default per account and currency.
// Errors: NOT_FOUND, INVALID_STATE (removed bank account, closed account).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { refuseBankAccountChanges, refuseDefault } from "../domain/bank-account.ts";
import { lockExternalAccount, type ExternalAccountRecord } from "./external-account-records.ts";
import { clearDefault, markDefault } from "../store/external-accounts.ts";
import { throwIfRefused } from "../../shared/errors.ts";

export async function setDefaultExternalAccount(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
): Promise<ExternalAccountRecord> {
  return inTransaction(deps.db, async (sql) => {
    const { target, owner } = await lockExternalAccount(sql, principal, id);
    throwIfRefused(refuseBankAccountChanges(owner));
    throwIfRefused(
      refuseDefault({ currency: target.currency, defaultForCurrency: target.defaultForCurrency, removed: target.removedAt !== null }),
    );
    if (target.defaultForCurrency) return target;
    await clearDefault(sql, target.accountId, target.currency);
    return markDefault(sql, target.id);
  });
}
