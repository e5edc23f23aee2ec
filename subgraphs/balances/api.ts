// The balances subgraph's front door: what other modules, the entry points and the benchmarks
// may call in-process. Everything else in subgraphs/balances is internal.

export { createTopup, type CreateTopupInput } from "./service/create-topup.ts";
export { createTransfer, type CreateTransferInput } from "./service/create-transfer.ts";
export { createHold, type CreateHoldInput } from "./service/create-hold.ts";
export { captureHold, type CaptureHoldInput } from "./service/capture-hold.ts";
export { releaseHold } from "./service/release-hold.ts";
export { expireDueHolds } from "./service/expire-holds.ts";
export { settleDueTopups } from "./service/settle-topups.ts";
export { startBalancesWorker } from "./service/worker.ts";
export { checkAmount } from "./domain/money-movement.ts";
export { settlementPosting, topupPosting, transferPosting, type TopupPostingInput, type TransferPostingInput } from "./domain/postings.ts";
export { BalancesServices } from "./services.ts";
