import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from "type-graphql";
import { platformOf, type SubgraphContext } from "../../shared/context.ts";
import { MinorUnitsScalar } from "../../shared/graphql/scalars.ts";
import { createCryptoWithdrawal } from "../service/create-withdrawal.ts";
import { simulateCryptoDeposit } from "../service/simulate-deposit.ts";
import { depositLoader, mustLoad, walletLoader, withdrawalLoader } from "./loaders.ts";
import { CryptoWallet } from "./wallet.type.ts";
import { CryptoDeposit, CryptoWithdrawal } from "./withdrawal.type.ts";

@InputType()
class CreateCryptoWithdrawalInput {
  @Field(() => ID)
  walletId!: string;

  @Field(() => String, { description: "An address on the wallet's network." })
  address!: string;

  @Field(() => MinorUnitsScalar, { description: "What arrives, in the asset's minor unit; the network fee comes on top." })
  amount!: bigint;
}

export async function resolveWithdrawalReference(reference: { id: string }, context: SubgraphContext): Promise<CryptoWithdrawal | null> {
  const row = await withdrawalLoader(context).load(reference.id);
  return row ? CryptoWithdrawal.from(row) : null;
}

export async function resolveDepositReference(reference: { id: string }, context: SubgraphContext): Promise<CryptoDeposit | null> {
  const row = await depositLoader(context).load(reference.id);
  return row ? CryptoDeposit.from(row) : null;
}

const walletOf = async (context: SubgraphContext, walletId: string) =>
  CryptoWallet.from(await mustLoad(walletLoader(context).load(walletId), "crypto wallet", walletId));

@Resolver(() => CryptoWithdrawal)
export class CryptoWithdrawalResolver {
  @Mutation(() => CryptoWithdrawal, {
    description: "Sends crypto to an external address; the balance is debited amount + network fee at once.",
  })
  async createCryptoWithdrawal(
    @Arg("input", () => CreateCryptoWithdrawalInput) input: CreateCryptoWithdrawalInput,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoWithdrawal> {
    return CryptoWithdrawal.from(await createCryptoWithdrawal(context.deps, platformOf(context), input, idempotencyKey));
  }

  @Query(() => CryptoWithdrawal, { nullable: true })
  async cryptoWithdrawal(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<CryptoWithdrawal> {
    return CryptoWithdrawal.from(await mustLoad(withdrawalLoader(context).load(id), "crypto withdrawal", id));
  }

  @FieldResolver(() => CryptoWallet)
  wallet(@Root() withdrawal: CryptoWithdrawal, @Ctx() context: SubgraphContext): Promise<CryptoWallet> {
    return walletOf(context, withdrawal.walletId);
  }
}

@Resolver(() => CryptoDeposit)
export class CryptoDepositResolver {
  @Mutation(() => CryptoDeposit, { description: "Test mode only: credits a wallet as if an on-chain deposit to its address confirmed." })
  async simulateCryptoDeposit(
    @Arg("walletId", () => ID) walletId: string,
    @Arg("amount", () => MinorUnitsScalar) amount: bigint,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoDeposit> {
    return CryptoDeposit.from(await simulateCryptoDeposit(context.deps, platformOf(context), { walletId, amount }, idempotencyKey));
  }

  @Query(() => CryptoDeposit, { nullable: true })
  async cryptoDeposit(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<CryptoDeposit> {
    return CryptoDeposit.from(await mustLoad(depositLoader(context).load(id), "crypto deposit", id));
  }

  @FieldResolver(() => CryptoWallet)
  wallet(@Root() deposit: CryptoDeposit, @Ctx() context: SubgraphContext): Promise<CryptoWallet> {
    return walletOf(context, deposit.walletId);
  }
}
