// The accounts subgraph's front door: what other modules, the entry points and the benchmarks
// may call in-process. Everything else in subgraphs/accounts is internal.

export {
  accountFacts,
  accountFactsAcross,
  accountVisible,
  type AccountFacts,
  type AccountLookup,
  type AccountRecord,
} from "./service/account-records.ts";
export { loadPayoutDestination, type DestinationRequest, type PayoutDestination } from "./service/payout-destination.ts";
export { parseMetadata, storedMetadata, type Metadata, type MetadataResult } from "./domain/metadata.ts";
export { insertPlatform, type CreatedPlatform } from "./service/create-platform.ts";
export { createConnectedAccount } from "./service/create-connected-account.ts";
export { addExternalAccount, type AddExternalAccountInput } from "./service/add-external-account.ts";
export { closeAccount } from "./service/close-account.ts";
export { seedDemoPlatform, type DemoPlatform } from "./service/seed-demo.ts";
export { reencryptExternalAccounts, type ReencryptOptions, type ReencryptResult } from "./service/reencrypt-external-accounts.ts";
