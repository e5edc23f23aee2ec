// The accounts subgraph: platforms, connected accounts and their verification, external bank
// accounts, and the platform's API keys (and the gateway's key check).
import type { SubgraphDefinition } from "../shared/subgraph.ts";
import { resolveAccountReference } from "./graphql/account.reference.ts";
import { AccountConnectionResolver, AccountResolver } from "./graphql/account.resolver.ts";
import { AccountApiKeysResolver, ApiKeyResolver } from "./graphql/api-key.resolver.ts";
import { AuthenticationResolver } from "./graphql/authentication.resolver.ts";
import { ConnectedAccountResolver } from "./graphql/connected-account.resolver.ts";
import {
  AccountExternalAccountsResolver,
  ExternalAccountResolver,
  resolveExternalAccountReference,
} from "./graphql/external-account.resolver.ts";
import { PlatformResolver } from "./graphql/platform.resolver.ts";

export const accountsSubgraph: SubgraphDefinition = {
  name: "accounts",
  resolvers: [
    AccountResolver,
    AccountConnectionResolver,
    ConnectedAccountResolver,
    AccountExternalAccountsResolver,
    ExternalAccountResolver,
    AccountApiKeysResolver,
    ApiKeyResolver,
    PlatformResolver,
    AuthenticationResolver,
  ],
  references: { Account: resolveAccountReference, ExternalAccount: resolveExternalAccountReference },
};
