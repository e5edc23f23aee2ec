// The crypto subgraph: wallets, quotes, conversions, withdrawals and (test mode) deposits.
import type { SubgraphDefinition } from "../shared/subgraph.ts";
import {
  CryptoConversionResolver,
  CryptoQuoteResolver,
  CryptoTradesAccountResolver,
  resolveConversionReference,
  resolveQuoteReference,
} from "./graphql/quote.resolver.ts";
import { CryptoAccount } from "./graphql/references.type.ts";
import { CryptoAccountResolver, CryptoWalletResolver, resolveWalletReference } from "./graphql/wallet.resolver.ts";
import { CryptoWallet } from "./graphql/wallet.type.ts";
import {
  CryptoDepositResolver,
  CryptoWithdrawalResolver,
  resolveDepositReference,
  resolveWithdrawalReference,
} from "./graphql/withdrawal.resolver.ts";

export const cryptoSubgraph: SubgraphDefinition = {
  name: "crypto",
  resolvers: [
    CryptoAccountResolver,
    CryptoWalletResolver,
    CryptoQuoteResolver,
    CryptoConversionResolver,
    CryptoTradesAccountResolver,
    CryptoWithdrawalResolver,
    CryptoDepositResolver,
  ],
  orphanedTypes: [CryptoAccount, CryptoWallet],
  references: {
    // Tenancy is enforced by the fields themselves: every read filters by the caller's tenant.
    Account: (reference) => CryptoAccount.ref(reference.id),
    CryptoWallet: resolveWalletReference,
    CryptoQuote: resolveQuoteReference,
    CryptoConversion: resolveConversionReference,
    CryptoWithdrawal: resolveWithdrawalReference,
    CryptoDeposit: resolveDepositReference,
  },
};
