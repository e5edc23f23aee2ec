// The payouts subgraph: payouts to external bank accounts and their lifecycle.
import type { SubgraphDefinition } from "../shared/subgraph.ts";
import { PayoutResolver, PayoutsAccountResolver, resolvePayoutReference } from "./graphql/payout.resolver.ts";
import { BalanceTransactionRef, ExternalAccountRef, PayoutsAccount } from "./graphql/references.type.ts";

export const payoutsSubgraph: SubgraphDefinition = {
  name: "payouts",
  resolvers: [PayoutResolver, PayoutsAccountResolver],
  orphanedTypes: [PayoutsAccount, BalanceTransactionRef, ExternalAccountRef],
  references: {
    Account: (reference) => PayoutsAccount.ref(reference.id),
    Payout: resolvePayoutReference,
  },
};
