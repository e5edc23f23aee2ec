// updateConnectedAccount: display name, email and metadata (merged: null or "" removes a key).
// Errors: NOT_FOUND, FORBIDDEN (the platform's own account), INVALID_STATE (closed), BAD_USER_INPUT.

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { refuseChanges, validateChanges, type ConnectedAccountChanges } from "../domain/account.ts";
import { mergeMetadata, storedMetadata, type Metadata } from "../domain/metadata.ts";
import { lockAccount, type AccountRecord } from "./account-records.ts";
import { updateAccount } from "../store/accounts.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { refused, throwIfRefused } from "../../shared/errors.ts";

export async function updateConnectedAccount(
  deps: Dependencies,
  principal: PlatformPrincipal,
  id: string,
  input: ConnectedAccountChanges,
): Promise<AccountRecord> {
  const changes = validateChanges(input);
  if (isRefusal(changes)) throw refused(changes.under("input"));
  return inTransaction(deps.db, async (sql) => {
    const account = await lockAccount(sql, principal, id);
    throwIfRefused(refuseChanges(account));
    let metadata: Metadata | undefined;
    if (changes.metadata) {
      const merged = mergeMetadata(storedMetadata(account.metadata), changes.metadata);
      if (!merged.ok) throw refused(merged.problem.under("input"));
      metadata = merged.metadata;
    }
    const data = {
      ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
      ...(changes.email !== undefined ? { email: changes.email } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
    };
    if (Object.keys(data).length === 0) return account;
    return updateAccount(sql, account.id, data);
  });
}
