// executeCryptoQuote: converts at the quote's terms, once. One ledger transaction debits the
// source currency and credits the destination through the platform's per-currency clearing
// accounts (each currency sums to zero), the spread fee to FEES. Converting into crypto opens
// the account's wallet for that asset (default network) if it has none.
// Errors: NOT_FOUND (quote, including another tenant's), QUOTE_EXPIRED, INVALID_STATE (already
// executed, closed account), INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED / _IN_USE. A refusal
// writes nothing: the quote stays executable until it expires.

import { accountFacts } from "../../accounts/api.ts";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { notFound, refused } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { post } from "../../ledger/api.ts";
import { defaultNetwork, isCryptoAsset } from "../domain/assets.ts";
import { checkExecutable } from "../domain/conversion.ts";
import { conversionPosting } from "../domain/postings.ts";
import { refuse } from "../../shared/refusal.ts";
import { findConversions, insertConversion, lockQuote, type ConversionRecord } from "../store/quotes.ts";
import { hasWalletFor } from "../store/wallets.ts";
import { ensureWallet } from "./ensure-wallet.ts";

export async function executeCryptoQuote(
  deps: Dependencies,
  principal: PlatformPrincipal,
  quoteId: string,
  idempotencyKey: string,
  now: () => Date = () => new Date(),
): Promise<ConversionRecord> {
  return deps.idempotency.run(
    { scope: principalScope(principal), key: idempotencyKey, operation: "executeCryptoQuote", params: { quoteId } },
    {
      toJson: (conversion) => ({ conversionId: conversion.id }),
      fromJson: async (json) => {
        const [conversion] = await findConversions(deps.db.sql, principal, [json["conversionId"] as string]);
        if (!conversion) throw notFound("crypto conversion", String(json["conversionId"]));
        return conversion;
      },
    },
    async (sql, complete) => {
      const quote = await lockQuote(sql, principal, quoteId);
      if (!quote) throw notFound("crypto quote", quoteId);
      const at = now();
      const problem = checkExecutable(quote, at);
      if (problem) throw refused(problem);
      const account = await accountFacts(sql, principal, quote.accountId);
      if (!account) throw notFound("account", quote.accountId);
      if (account.status === "CLOSED") throw refused(refuse("INVALID_STATE", "The account is closed"));

      if (isCryptoAsset(quote.destinationCurrency) && !(await hasWalletFor(sql, principal, account.id, quote.destinationCurrency))) {
        const network = defaultNetwork(quote.destinationCurrency);
        if (network) await ensureWallet(sql, principal, account.id, network.asset, network.network);
      }

      const conversion: ConversionRecord = {
        id: newId("cryptoConversion"),
        accountId: account.id,
        quoteId: quote.id,
        sourceCurrency: quote.sourceCurrency,
        destinationCurrency: quote.destinationCurrency,
        sourceAmount: quote.sourceAmount,
        fee: quote.fee,
        destinationAmount: quote.destinationAmount,
        rate: quote.rate,
        sourceBalanceTransactionId: newId("balanceTransaction"),
        destinationBalanceTransactionId: newId("balanceTransaction"),
        createdAt: at,
      };
      await insertConversion(sql, principal, conversion);
      await complete(conversion);
      await post(sql, principal, [
        conversionPosting({
          ledgerTransactionId: newId("ledgerTransaction"),
          conversionId: conversion.id,
          platformId: principal.tenantId,
          accountId: account.id,
          terms: {
            sourceCurrency: quote.sourceCurrency,
            destinationCurrency: quote.destinationCurrency,
            sourceAmount: quote.sourceAmount,
            fee: quote.fee,
            converted: quote.sourceAmount - quote.fee,
            destinationAmount: quote.destinationAmount,
            rate: quote.rate,
          },
          sourceBalanceTransactionId: conversion.sourceBalanceTransactionId,
          destinationBalanceTransactionId: conversion.destinationBalanceTransactionId,
          at,
        }),
      ]);
      return conversion;
    },
  );
}
