// createConnectedAccount: a platform onboards an account it will pay. Idempotent: a replay with
// the same key and input returns the account created first.
// Errors: BAD_USER_INPUT, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.

import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { newId } from "../../shared/ids.ts";
import type { ResultCodec } from "../../shared/idempotency/idempotency.ts";
import { NEW_CONNECTED_ACCOUNT_STATE, validateConnectedAccount, type NewConnectedAccountInput } from "../domain/account.ts";
import { getAccount, type AccountRecord } from "./account-records.ts";
import { insertAccount } from "../store/accounts.ts";
import { isRefusal } from "../../shared/refusal.ts";
import { refused } from "../../shared/errors.ts";

export function accountCodec(deps: Dependencies, principal: PlatformPrincipal): ResultCodec<AccountRecord> {
  return {
    toJson: (account) => ({ id: account.id }),
    fromJson: (json) => getAccount(deps, principal, String(json["id"])),
  };
}

export async function createConnectedAccount(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: NewConnectedAccountInput,
  idempotencyKey: string,
): Promise<AccountRecord> {
  const valid = validateConnectedAccount(input);
  if (isRefusal(valid)) throw refused(valid.under("input"));
  const request = { scope: principalScope(principal), key: idempotencyKey, operation: "createConnectedAccount", params: valid };
  return deps.idempotency.run(request, accountCodec(deps, principal), (sql) =>
    insertAccount(sql, {
      id: newId("account"),
      tenantId: principal.tenantId,
      platformId: principal.tenantId,
      livemode: principal.livemode,
      type: "CONNECTED",
      displayName: valid.displayName,
      country: valid.country,
      defaultCurrency: valid.defaultCurrency,
      email: valid.email,
      metadata: valid.metadata,
      ...NEW_CONNECTED_ACCOUNT_STATE,
    }),
  );
}
