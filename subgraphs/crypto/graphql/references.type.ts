import { EntityReference } from "../../shared/graphql/entity-reference.ts";

/** The crypto subgraph's view of an Account: it contributes `cryptoWallets`. */
export const CryptoAccount = EntityReference("Account", { contributes: true });
export type CryptoAccount = InstanceType<typeof CryptoAccount>;

/** Owned by the balances subgraph; referenced from conversions, withdrawals and deposits. */
export const BalanceTransactionRef = EntityReference("BalanceTransaction", { contributes: false });
export type BalanceTransactionRef = InstanceType<typeof BalanceTransactionRef>;
