// removeExternalAccount: the bank account no longer receives payouts. The row stays (payouts
// refer to it) with removedAt set; removing a removed one changes nothing.
// Errors: NOT_FOUND, INVALID_STATE (the default of a currency that has other bank accounts).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { refuseRemoval } from "../domain/bank-account.ts";
import { lockExternalAccount, type ExternalAccountRecord } from "./external-account-records.ts";
import { countOtherActive, markRemoved } from "../store/external-accounts.ts";
import { throwIfRefused } from "../../shared/errors.ts";

export async function removeExternalAccount(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
  now = new Date(),
): Promise<ExternalAccountRecord> {
  return inTransaction(deps.db, async (sql) => {
    const { target } = await lockExternalAccount(sql, principal, id);
    if (target.removedAt) return target;
    const others = await countOtherActive(sql, target.accountId, target.currency, target.id);
    throwIfRefused(refuseRemoval({ currency: target.currency, defaultForCurrency: target.defaultForCurrency, removed: false }, others));
    return markRemoved(sql, target.id, now);
  });
}
