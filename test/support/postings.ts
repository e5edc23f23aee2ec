// Ledger postings for tests that write the ledger directly (the ledger module's own tests).
import type { Posting } from "../../subgraphs/ledger/domain/ledger.ts";
import { newId, type AccountId } from "../../subgraphs/shared/ids.ts";
import { parseCurrency } from "../../subgraphs/shared/money/currency.ts";

const USD = parseCurrency("USD")!;

/**
 * A top-up-like credit in USD: `accountId`'s clearing account to its available balance, with its
 * line in the history of `historyAccountId` (the same account unless given).
 */
export function creditWithHistory(accountId: AccountId, amount: bigint, historyAccountId: AccountId = accountId): Posting {
  return {
    id: newId("ledgerTransaction"),
    kind: "TEST",
    entries: [
      { accountId, currency: USD, kind: "TOPUP_CLEARING", amount: -amount },
      { accountId, currency: USD, kind: "AVAILABLE", amount },
    ],
    balanceTransactions: [
      {
        id: newId("balanceTransaction"),
        accountId: historyAccountId,
        type: "ADJUSTMENT",
        currency: USD,
        amount,
        fee: 0n,
        status: "AVAILABLE",
        availableOn: new Date(),
      },
    ],
  };
}
