// For the payouts subgraph (in-process, inside its own transaction): the bank account a payout
// goes to, with its number decrypted, after the rule that only an active account with payouts
// enabled may be paid. The account row is locked FOR SHARE (accountFacts) until the payout
// commits, so the account cannot be closed, nor its bank account removed, half-way through a
// payout (many payouts to one account share the lock and do not wait for each other).
//
// Raw SQL on the caller's connection: the money path runs in `db.transaction` (SqlClient); from a
// Prisma interactive transaction, pass `sqlOf(tx)`.
//
// The decrypted number lives only in this process's memory for the decision of the simulated
// bank rail (test account numbers decide a payout's fate, API.md): never log it, never store it.
// Errors: NOT_FOUND (account or bank account), PAYOUTS_NOT_ENABLED.

import type { Keyring } from "../../shared/encryption/keyring.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { AppError, notFound, throwIfRefused } from "../../shared/errors.ts";
import { refusePayouts } from "../domain/verification.ts";
import { accountFacts } from "./account-records.ts";

export interface PayoutDestination {
  readonly id: string;
  readonly accountId: string;
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
  readonly accountId: string;
  /** A ba_… id; omitted: the account's default bank account for `currency`. */
  readonly externalAccountId?: string | undefined;
  readonly currency: string;
}

interface DestinationRow {
  id: string;
  account_id: string;
  country: string;
  currency: string;
  account_holder_name: string;
  last4: string;
  routing_number: string | null;
  number_ciphertext: string;
  encryption_key_id: string;
}

export async function loadPayoutDestination(
  sql: SqlClient,
  keyring: Keyring,
  scope: { readonly tenantId: string; readonly livemode: boolean },
  request: DestinationRequest,
): Promise<PayoutDestination> {
  const account = await accountFacts(sql, scope, request.accountId);
  if (!account) throw notFound("account", request.accountId);
  throwIfRefused(refusePayouts(account));
  const [row] = await sql.query<DestinationRow>(
    `SELECT id, account_id, country, currency, account_holder_name, last4, routing_number, number_ciphertext, encryption_key_id
       FROM external_account
      WHERE account_id = $1 AND tenant_id = $2 AND livemode = $3 AND removed_at IS NULL
        AND ${request.externalAccountId ? "id = $4" : "currency = $4 AND default_for_currency"}`,
    [account.id, scope.tenantId, scope.livemode, request.externalAccountId ?? request.currency],
  );
  if (!row) {
    throw request.externalAccountId
      ? notFound("external account", request.externalAccountId)
      : new AppError("NOT_FOUND", `The account has no default bank account for ${request.currency}`, { argument: "destinationId" });
  }
  const number = keyring.decrypt({ keyId: row.encryption_key_id, ciphertext: row.number_ciphertext }, row.id);
  const iban = row.routing_number === null;
  return {
    id: row.id,
    accountId: row.account_id,
    country: row.country,
    currency: row.currency,
    accountHolderName: row.account_holder_name,
    last4: row.last4,
    routingNumber: row.routing_number,
    accountNumber: iban ? null : number,
    iban: iban ? number : null,
  };
}
