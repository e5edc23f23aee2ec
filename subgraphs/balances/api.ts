// The balances subgraph's front door: what other modules, the entry points and the benchmarks
// may call in-process. Everything else in subgraphs/balances is internal.

export { createTopup, type CreateTopupInput } from "./service/create-topup.ts";
export { createTransfer, type CreateTransferInput } from "./service/create-transfer.ts";
export { settleDueTopups } from "./service/settle-topups.ts";
export { startBalancesWorker } from "./service/worker.ts";
export { checkAmount } from "./domain/money-movement.ts";
export { settlementPosting, topupPosting, transferPosting, type TopupPostingInput, type TransferPostingInput } from "./domain/postings.ts";
export { BalancesServices } from "./services.ts";
