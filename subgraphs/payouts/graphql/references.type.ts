import { EntityReference } from "../../shared/graphql/entity-reference.ts";

/** The payouts subgraph's view of an Account: it contributes `payouts`. */
export const PayoutsAccount = EntityReference("Account", { contributes: true });
export type PayoutsAccount = InstanceType<typeof PayoutsAccount>;

/** Owned by the balances subgraph; referenced from Payout.balanceTransaction. */
export const BalanceTransactionRef = EntityReference("BalanceTransaction", { contributes: false });
export type BalanceTransactionRef = InstanceType<typeof BalanceTransactionRef>;

/** Owned by the accounts subgraph; referenced from Payout.destination. */
export const ExternalAccountRef = EntityReference("ExternalAccount", { contributes: false });
export type ExternalAccountRef = InstanceType<typeof ExternalAccountRef>;
