// The crypto subgraph's front door: what other modules and the entry points may call
// in-process. Everything else in subgraphs/crypto is internal.

export { startCryptoWorker } from "./service/worker.ts";
export { createCryptoServices, type CryptoServices } from "./services.ts";
