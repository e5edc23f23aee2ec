// removeExternalAccount: the bank account no longer receives payouts. The row stays (payouts
// refer to it) with removedAt set; removing a removed one changes nothing.
// Errors: NOT_FOUND, INVALID_STATE (the default of a currency that has other bank accounts).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { refuseRemoval } from "../domain/bank-account.ts";
import { lockExternalAccount, PUBLIC_COLUMNS, type PublicExternalAccount } from "./external-account-records.ts";
import { throwIfRefused } from "../../shared/errors.ts";

export async function removeExternalAccount(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
  now = new Date(),
): Promise<PublicExternalAccount> {
  return inTransaction(deps.db, async (tx) => {
    const { target } = await lockExternalAccount(tx, principal, id);
    if (target.removedAt) return target;
    const others = await tx.externalAccount.count({
      where: { accountId: target.accountId, currency: target.currency, removedAt: null, id: { not: target.id } },
    });
    throwIfRefused(refuseRemoval({ currency: target.currency, defaultForCurrency: target.defaultForCurrency, removed: false }, others));
    return tx.externalAccount.update({
      where: { id: target.id },
      data: { removedAt: now, defaultForCurrency: false },
      select: PUBLIC_COLUMNS,
    });
  });
}
