// The balances subgraph: the double-entry ledger, balances and their history, top-ups,
// transfers, holds and the balance event stream.
import { platformOf } from "../shared/context.ts";
import type { SubgraphDefinition } from "../shared/subgraph.ts";
import { findTopups } from "./service/topup-records.ts";
import { findTransfers } from "./service/transfer-records.ts";
import { Topup } from "./graphql/topup.type.ts";
import { Transfer } from "./graphql/transfer.type.ts";
import { BalancesAccountResolver } from "./graphql/account.resolver.ts";
import { BalancesAccount } from "./graphql/account.type.ts";
import { BalanceEventResolver } from "./graphql/balance-event.resolver.ts";
import { BalanceTransactionResolver, resolveBalanceTransactionReference } from "./graphql/balance-transaction.resolver.ts";
import { LedgerProofResolver } from "./graphql/ledger-proof.resolver.ts";
import { MoneyMovementsAccountResolver, TopupResolver, TransferResolver } from "./graphql/money-movement.resolver.ts";
import { HoldResolver, HoldsAccountResolver, resolveHoldReference } from "./graphql/hold.resolver.ts";

export const balancesSubgraph: SubgraphDefinition = {
  name: "balances",
  resolvers: [
    BalancesAccountResolver,
    HoldsAccountResolver,
    MoneyMovementsAccountResolver,
    LedgerProofResolver,
    BalanceTransactionResolver,
    TopupResolver,
    TransferResolver,
    HoldResolver,
    BalanceEventResolver,
  ],
  orphanedTypes: [BalancesAccount],
  references: {
    // Tenancy is enforced by the fields themselves: every read filters by the caller's tenant.
    Account: (reference) => BalancesAccount.ref(reference.id),
    BalanceTransaction: resolveBalanceTransactionReference,
    Topup: async (reference, context) => {
      const [row] = await findTopups(context.deps.db.sql, platformOf(context), [reference.id]);
      return row ? Topup.from(row) : null;
    },
    Hold: resolveHoldReference,
    Transfer: async (reference, context) => {
      const [row] = await findTransfers(context.deps.db.sql, platformOf(context), [reference.id]);
      return row ? Transfer.from(row) : null;
    },
  },
};
