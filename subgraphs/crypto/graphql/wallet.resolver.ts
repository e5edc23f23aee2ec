import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from "type-graphql";
import { platformOf, readerOf, type SubgraphContext } from "../../shared/context.ts";
import { idArgument } from "../../shared/errors.ts";
import { parseId, type AccountId } from "../../shared/ids.ts";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { PageArgs } from "../../shared/graphql/page-args.ts";
import { pageRequest, toConnection } from "../../shared/graphql/pagination.ts";
import { CurrencyScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { supportedAssetNetworks } from "../domain/assets.ts";
import { createCryptoWallet } from "../service/create-wallet.ts";
import { accountsBalances, accountsWallets, walletDeposits, walletWithdrawals } from "../service/read-crypto.ts";
import { mustLoad, walletLoader } from "./loaders.ts";
import { CryptoAccount } from "./references.type.ts";
import { CryptoAsset, CryptoWallet } from "./wallet.type.ts";
import type { WithdrawalStatus } from "../domain/withdrawal.ts";
import {
  CryptoDeposit,
  CryptoDepositConnection,
  CryptoWithdrawal,
  CryptoWithdrawalConnection,
  CryptoWithdrawalStatusEnum,
} from "./withdrawal.type.ts";

@InputType()
class CreateCryptoWalletInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => CurrencyScalar, { description: "BTC, ETH or USDC." })
  asset!: Currency;

  @Field(() => String, { nullable: true, description: "bitcoin, ethereum or solana; the asset's default network when omitted." })
  network?: string | null;
}

@ArgsType()
class WithdrawalsArgs extends PageArgs {
  @Field(() => CryptoWithdrawalStatusEnum, { nullable: true })
  status?: WithdrawalStatus | null;
}

export async function resolveWalletReference(reference: { id: string }, context: SubgraphContext): Promise<CryptoWallet | null> {
  const row = await walletLoader(context).load(reference.id);
  return row ? CryptoWallet.from(row) : null;
}

@Resolver(() => CryptoWallet)
export class CryptoWalletResolver {
  @Mutation(() => CryptoWallet, { description: "Opens the account's wallet for an asset on a network, or returns the one it has." })
  async createCryptoWallet(
    @Arg("input", () => CreateCryptoWalletInput) input: CreateCryptoWalletInput,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoWallet> {
    const accountId = idArgument("account", input.accountId, "account");
    return CryptoWallet.from(await createCryptoWallet(context.deps, platformOf(context), { ...input, accountId }, idempotencyKey));
  }

  @Query(() => CryptoWallet, { nullable: true })
  async cryptoWallet(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<CryptoWallet> {
    return CryptoWallet.from(await mustLoad(walletLoader(context).load(id), "crypto wallet", id));
  }

  @Query(() => [CryptoAsset], { description: "The crypto assets and networks wallets can hold, with their withdrawal fees." })
  cryptoAssets(): CryptoAsset[] {
    return supportedAssetNetworks().map(CryptoAsset.from);
  }

  @FieldResolver(() => MoneyType, { description: "The account's available balance in the wallet's asset." })
  async balance(@Root() wallet: CryptoWallet, @Ctx() context: SubgraphContext): Promise<MoneyType> {
    const principal = platformOf(context);
    // One query per batch of accounts (the ledger module, in-process).
    const loader = context.loader("crypto.balances", (accountIds: readonly AccountId[]) =>
      accountsBalances(context.deps, principal, accountIds),
    );
    const asset = wallet.asset as Currency;
    const accountId = parseId("account", wallet.account.id);
    const held = accountId ? (await loader.load(accountId)).find((balance) => balance.currency === asset) : undefined;
    return MoneyType.from({ amount: held?.available ?? 0n, currency: asset });
  }

  @FieldResolver(() => CryptoWithdrawalConnection, { description: "Newest first, optionally of one status." })
  async withdrawals(
    @Root() wallet: CryptoWallet,
    @Args(() => WithdrawalsArgs) args: WithdrawalsArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoWithdrawalConnection> {
    const page = pageRequest(args);
    const rows = await walletWithdrawals(context.deps, platformOf(context), wallet.id, page, args.status ?? undefined);
    return toConnection(rows, page, CryptoWithdrawal.from);
  }

  @FieldResolver(() => CryptoDepositConnection, { description: "Newest first." })
  async deposits(
    @Root() wallet: CryptoWallet,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoDepositConnection> {
    const page = pageRequest(args);
    return toConnection(await walletDeposits(context.deps, platformOf(context), wallet.id, page), page, CryptoDeposit.from);
  }
}

@Resolver(() => CryptoAccount)
export class CryptoAccountResolver {
  @FieldResolver(() => [CryptoWallet], { description: "Oldest first." })
  async cryptoWallets(@Root() account: CryptoAccount, @Ctx() context: SubgraphContext): Promise<CryptoWallet[]> {
    const principal = readerOf(context);
    if (!principal) return [];
    const loader = context.loader("crypto.wallets.byAccount", (ids: readonly string[]) => accountsWallets(context.deps, principal, ids));
    return (await loader.load(account.id)).map(CryptoWallet.from);
  }
}
