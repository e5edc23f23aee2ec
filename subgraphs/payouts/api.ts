// The payouts subgraph's front door: what other modules, the entry points and the benchmarks
// may call in-process. Everything else in subgraphs/payouts is internal.

export { createPayout, type CreatePayoutInput } from "./service/create-payout.ts";
export { payoutsInFlight } from "./service/payouts-in-flight.ts";
export { startPayoutsWorker } from "./service/worker.ts";
// One pass of the bank rail, for tests elsewhere that need a payout to arrive or fail now.
export { advanceDuePayouts } from "./service/advance-payouts.ts";
