// Account.ledgerProof: an account's chain heads and the latest checkpoint, for a partner to keep
// as a receipt of its history. Another tenant's account (or one of the other mode) is
// NOT_FOUND, as for balanceChanged: indistinguishable from one that does not exist.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { AccountId } from "../../shared/ids.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { readLedgerProof, type LedgerProof } from "../../ledger/api.ts";
import { assertAccountVisible } from "./account-scope.ts";

export type { LedgerProof } from "../../ledger/api.ts";

export async function ledgerProofOf(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  currency: Currency,
): Promise<LedgerProof> {
  await assertAccountVisible(deps, principal, accountId);
  return readLedgerProof(deps.db.sql, principal, accountId as AccountId, currency);
}
