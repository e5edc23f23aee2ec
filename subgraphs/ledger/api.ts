// The ledger's front door: the only file other modules import. Postings are built by the module
// that owns the money movement (balances, payouts, crypto) from the rules here, and written
// through `post` inside that module's own database transaction.

export {
  CUSTOMER_KINDS,
  checkPosting,
  eventsFor,
  netOf,
  reversal,
  type BalanceTransactionSpec,
  type BalanceTransactionType,
  type Entry,
  type EventSpec,
  type LedgerAccountKind,
  type Posting,
  type PostingProblem,
} from "./domain/ledger.ts";
export { BALANCE_EVENTS_CHANNEL, LedgerInvariantError, post, postScoped, type LedgerScope, type ScopedPosting } from "./service/post.ts";
export { readBalances, type AccountBalance, type BalanceScope } from "./service/read-balances.ts";
export { verifyLedger, type IntegrityReport, type IntegrityScope } from "./service/integrity.ts";
