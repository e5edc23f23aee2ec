// setDefaultExternalAccount: payouts in this bank account's currency go here unless a payout
// names another destination. Exactly one default per account and currency.
// Errors: NOT_FOUND, INVALID_STATE (removed bank account, closed account).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { refuseBankAccountChanges, refuseDefault } from "../domain/bank-account.ts";
import { lockExternalAccount, PUBLIC_COLUMNS, type PublicExternalAccount } from "./external-account-records.ts";
import { throwIfRefused } from "../../shared/errors.ts";

export async function setDefaultExternalAccount(deps: Dependencies, principal: PlatformPrincipal, id: string): Promise<PublicExternalAccount> {
  return inTransaction(deps.db, async (tx) => {
    const { target, owner } = await lockExternalAccount(tx, principal, id);
    throwIfRefused(refuseBankAccountChanges(owner));
    throwIfRefused(refuseDefault({ currency: target.currency, defaultForCurrency: target.defaultForCurrency, removed: target.removedAt !== null }));
    if (target.defaultForCurrency) return target;
    await tx.externalAccount.updateMany({
      where: { accountId: target.accountId, currency: target.currency, defaultForCurrency: true },
      data: { defaultForCurrency: false },
    });
    return tx.externalAccount.update({ where: { id: target.id }, data: { defaultForCurrency: true }, select: PUBLIC_COLUMNS });
  });
}
