// For the payouts subgraph (in-process, inside its own transaction): the bank account a payout
// goes to, with its number decrypted, after the rule that only an active account with payouts
// enabled may be paid. The account row is locked FOR SHARE (accountFacts) until the payout
// commits, so the account cannot be closed, nor its bank account removed, half-way through a
// payout (many payouts to one account share the lock and do not wait for each other).
//
// Runs on the caller's connection (its transaction).
//
// The decrypted number lives only in this process's memory for the decision of the simulated
// bank rail (test account numbers decide a payout's fate, docs/payouts.md): never log it, never store it.
// Errors: NOT_FOUND (account or bank account), PAYOUTS_NOT_ENABLED.

import type { Keyring } from "../../shared/encryption/keyring.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { AppError, notFound, throwIfRefused } from "../../shared/errors.ts";
import type { AccountId, Id } from "../../shared/ids.ts";
import { refusePayouts } from "../domain/verification.ts";
import { accountFacts } from "./account-records.ts";
import { payableBankAccount } from "../store/external-accounts.ts";

export interface PayoutDestination {
  readonly id: Id<"bankAccount">;
  readonly accountId: AccountId;
  readonly country: string;
  readonly currency: string;
  readonly accountHolderName: string;
  readonly last4: string;
  /** US accounts: the ABA routing number and the account number. */
  readonly routingNumber: string | null;
  readonly accountNumber: string | null;
  /** IBAN accounts: the IBAN. */
  readonly iban: string | null;
}

export interface DestinationRequest {
  readonly accountId: AccountId;
  /** Omitted: the account's default bank account for `currency`. */
  readonly externalAccountId?: Id<"bankAccount"> | undefined;
  readonly currency: string;
}

export async function loadPayoutDestination(
  sql: SqlClient,
  keyring: Keyring,
  scope: { readonly tenantId: AccountId; readonly livemode: boolean },
  request: DestinationRequest,
): Promise<PayoutDestination> {
  const account = await accountFacts(sql, scope, request.accountId);
  if (!account) throw notFound("account", request.accountId);
  throwIfRefused(refusePayouts(account));
  const row = await payableBankAccount(
    sql,
    scope,
    account.id,
    request.externalAccountId ? { id: request.externalAccountId } : { defaultFor: request.currency },
  );
  if (!row) {
    throw request.externalAccountId
      ? notFound("external account", request.externalAccountId)
      : new AppError("NOT_FOUND", `The account has no default bank account for ${request.currency}`, { argument: "destinationId" });
  }
  const number = keyring.decrypt({ keyId: row.encryptionKeyId, ciphertext: row.numberCiphertext }, row.id);
  const iban = row.routingNumber === null;
  return {
    id: row.id,
    accountId: row.accountId,
    country: row.country,
    currency: row.currency,
    accountHolderName: row.accountHolderName,
    last4: row.last4,
    routingNumber: row.routingNumber,
    accountNumber: iban ? null : number,
    iban: iban ? number : null,
  };
}
