import { EntityReference } from "../../shared/graphql/entity-reference.ts";

/** The balances subgraph's view of an Account: it contributes balances and their history. */
export const BalancesAccount = EntityReference("Account", { contributes: true });
export type BalancesAccount = InstanceType<typeof BalancesAccount>;
