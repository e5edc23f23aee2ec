// The payouts subgraph's front door: what other modules, the entry points and the benchmarks
// may call in-process. Everything else in subgraphs/payouts is internal.

export { createPayout, type CreatePayoutInput } from "./service/create-payout.ts";
export { payoutsInFlight } from "./service/payouts-in-flight.ts";
export { startPayoutsWorker } from "./service/worker.ts";
