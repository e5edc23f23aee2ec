// The ledger's front door: the only file other modules import. Postings are built by the module
// that owns the money movement (balances, payouts, crypto) from the rules here, and written
// through `post` inside that module's own database transaction. The reads of its tables (balances,
// the balance history, the balance event outbox) are published from its store.

export {
  CLEARING_SLOTS,
  CUSTOMER_KINDS,
  checkPosting,
  eventsFor,
  netOf,
  reversal,
  type BalanceTransactionSpec,
  type BalanceTransactionType,
  type CustomerKind,
  type Entry,
  type EventSpec,
  type LedgerAccountKind,
  type Posting,
  type PostingProblem,
} from "./domain/ledger.ts";
export { BALANCE_EVENTS_CHANNEL, LedgerInvariantError, post, postScoped, type LedgerScope, type ScopedPosting } from "./service/post.ts";
export { readBalances, readBalancesAt, type AccountBalance, type BalanceScope, type LedgerMoment } from "./service/read-balances.ts";
export { lockAvailableBalances, type AvailableBalanceKey } from "./store/balances.ts";
export {
  checkReceipt,
  verifyLedger,
  type ChainBreak,
  type CheckpointReceipt,
  type IntegrityOptions,
  type IntegrityReport,
  type IntegrityScope,
} from "./store/integrity.ts";
export { checkpointLedger, type CheckpointOutcome, type CheckpointRecord } from "./service/checkpoint.ts";
export { readLedgerProof, type ChainHead, type LedgerProof } from "./service/ledger-proof.ts";
export {
  findBalanceTransactions,
  listBalanceTransactions,
  markAvailable,
  type BalanceTransactionRecord,
  type HistoryScope,
} from "./store/balance-transactions.ts";
export {
  currentEvents,
  findEventSeq,
  latestEventId,
  latestSeq,
  readEventRange,
  readNewEvents,
  type BalanceEventRow,
  type EventScope,
} from "./store/balance-events.ts";
