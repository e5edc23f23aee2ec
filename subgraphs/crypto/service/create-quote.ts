// createCryptoQuote: prices a conversion for an account from the rate source, with the spread
// fee, valid for QUOTE_TTL_MS. Moves no money (no idempotency key); executeCryptoQuote does.
// Errors: NOT_FOUND (account, including another tenant's), BAD_USER_INPUT (pair, amount, no
// rate), INVALID_STATE (closed account).

import { accountFacts } from "../../accounts/api.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { notFound, refused } from "../../shared/errors.ts";
import { newId, type AccountId } from "../../shared/ids.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { checkPair, priceConversion } from "../domain/conversion.ts";
import { isRefusal, refuse } from "../../shared/refusal.ts";
import { insertQuote, type QuoteRecord } from "../store/quotes.ts";

export interface CreateQuoteInput {
  readonly accountId: AccountId;
  readonly sourceCurrency: Currency;
  readonly destinationCurrency: Currency;
  readonly sourceAmount: bigint;
}

export async function createCryptoQuote(
  deps: Dependencies,
  principal: PlatformPrincipal,
  input: CreateQuoteInput,
  now = new Date(),
): Promise<QuoteRecord> {
  const pair = checkPair(input.sourceCurrency, input.destinationCurrency);
  if (pair) throw refused(pair);
  const rate = deps.crypto.rates.rate(input.sourceCurrency, input.destinationCurrency);
  if (!rate)
    throw refused(
      refuse("BAD_USER_INPUT", `No rate for ${input.sourceCurrency} to ${input.destinationCurrency}`, "input.destinationCurrency"),
    );
  const terms = priceConversion(input, rate, deps.config.CRYPTO_SPREAD_BPS);
  if (isRefusal(terms)) throw refused(terms);

  return inTransaction(deps.db, async (sql) => {
    const account = await accountFacts(sql, principal, input.accountId);
    if (!account) throw notFound("account", input.accountId);
    if (account.status === "CLOSED") throw refused(refuse("INVALID_STATE", "The account is closed"));
    const quote: QuoteRecord = {
      id: newId("cryptoQuote"),
      accountId: account.id,
      sourceCurrency: terms.sourceCurrency,
      destinationCurrency: terms.destinationCurrency,
      sourceAmount: terms.sourceAmount,
      fee: terms.fee,
      destinationAmount: terms.destinationAmount,
      rate: terms.rate,
      expiresAt: new Date(now.getTime() + deps.config.QUOTE_TTL_MS),
      conversionId: null,
      createdAt: now,
    };
    await insertQuote(sql, principal, quote);
    return quote;
  });
}
