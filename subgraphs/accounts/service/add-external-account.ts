// addExternalAccount: a bank account that payouts can be sent to. The account number (or IBAN)
// is encrypted with the current key of ENCRYPTION_KEYS, bound to the new row's id; what is kept
// in clear is what may be shown (last4, bank name, country, currency) and a keyed fingerprint
// that finds duplicates without decrypting. Idempotent; the idempotency record holds the
// fingerprint, never the number.
// Errors: NOT_FOUND, BAD_USER_INPUT (including a duplicate of an active bank account of the same
// currency: extensions.duplicateOf names it), INVALID_STATE (closed account, too many bank
// accounts), IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE.

import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError, refused, throwIfRefused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import type { ResultCodec } from "../../shared/idempotency/idempotency.ts";
import {
  becomesDefault,
  MAX_EXTERNAL_ACCOUNTS,
  refuseBankAccountChanges,
  validateBankAccount,
  type NewBankAccountInput,
} from "../domain/bank-account.ts";
import { lockAccount } from "./account-records.ts";
import { getExternalAccount, type ExternalAccountRecord } from "./external-account-records.ts";
import { activeBankAccountsOf, clearDefault, insertExternalAccount } from "../store/external-accounts.ts";
import { isRefusal } from "../../shared/refusal.ts";

export const FINGERPRINT_PURPOSE = "bank-account.v1";

export interface AddExternalAccountInput extends NewBankAccountInput {
  readonly defaultForCurrency?: boolean | null | undefined;
}

function codec(deps: Dependencies, principal: PlatformPrincipal): ResultCodec<ExternalAccountRecord> {
  return {
    toJson: (row) => ({ id: row.id }),
    fromJson: (json) => getExternalAccount(deps, principal, String(json["id"])),
  };
}

export async function addExternalAccount(
  deps: Dependencies,
  principal: PlatformPrincipal,
  accountId: string,
  input: AddExternalAccountInput,
  idempotencyKey: string,
): Promise<ExternalAccountRecord> {
  const valid = validateBankAccount(input);
  if (isRefusal(valid)) throw refused(valid.under("input"));
  const keyring = deps.keyring;
  // Per tenant: a platform can spot the same bank account across its own accounts, and no
  // fingerprint can be compared across platforms.
  const fingerprint = keyring.fingerprint(FINGERPRINT_PURPOSE, [principal.tenantId, ...valid.identity]);
  const params = {
    accountId,
    country: valid.country,
    currency: valid.currency,
    accountHolderName: valid.accountHolderName,
    fingerprint,
    defaultForCurrency: input.defaultForCurrency ?? false,
  };
  const request = { scope: principalScope(principal), key: idempotencyKey, operation: "addExternalAccount", params };
  return deps.idempotency.run(request, codec(deps, principal), async (sql) => {
    const account = await lockAccount(sql, principal, accountId);
    throwIfRefused(refuseBankAccountChanges(account));
    const active = await activeBankAccountsOf(sql, account.id);
    if (active.length >= MAX_EXTERNAL_ACCOUNTS) {
      throw new AppError("INVALID_STATE", `An account may have at most ${MAX_EXTERNAL_ACCOUNTS} bank accounts; remove one first`);
    }
    const duplicate = active.find((other) => other.fingerprint === fingerprint && other.currency === valid.currency);
    if (duplicate) {
      throw new AppError("BAD_USER_INPUT", `This bank account is already attached to the account for ${valid.currency}`, {
        argument: "input",
        duplicateOf: duplicate.id,
      });
    }
    const inCurrency = active.filter((other) => other.currency === valid.currency).length;
    const isDefault = becomesDefault(inCurrency, input.defaultForCurrency);
    if (isDefault && inCurrency > 0) {
      await clearDefault(sql, account.id, valid.currency);
    }
    const id = newId("bankAccount");
    const sealed = keyring.encrypt(valid.secretNumber, id);
    return insertExternalAccount(sql, {
      id,
      tenantId: principal.tenantId,
      livemode: principal.livemode,
      accountId: account.id,
      country: valid.country,
      currency: valid.currency,
      accountHolderName: valid.accountHolderName,
      bankName: valid.bankName,
      routingNumber: valid.routingNumber,
      last4: valid.last4,
      fingerprint,
      numberCiphertext: sealed.ciphertext,
      encryptionKeyId: sealed.keyId,
      defaultForCurrency: isDefault,
    });
  });
}
