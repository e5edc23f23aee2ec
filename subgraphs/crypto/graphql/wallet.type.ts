import { Directive, Field, ID, Int, ObjectType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { CurrencyScalar, DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { AssetNetwork } from "../domain/assets.ts";
import { currencyInfo } from "../../shared/money/currency.ts";
import type { WalletRecord } from "../store/wallets.ts";
import { CryptoAccount } from "./references.type.ts";

@Directive('@key(fields: "id")')
@ObjectType("CryptoWallet", {
  description:
    "Where an account receives and sends one crypto asset on one network. Its balance is the account's available balance in the asset: wallets of one asset on several networks share it.",
})
export class CryptoWallet {
  @Field(() => ID)
  id!: string;

  @Field(() => CryptoAccount)
  account!: CryptoAccount;

  @Field(() => CurrencyScalar)
  asset!: string;

  @Field(() => String, { description: "bitcoin, ethereum or solana." })
  network!: string;

  @Field(() => String, { description: "The deposit address (test mode: derived from the wallet's id; no key exists for it)." })
  address!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  static from(row: WalletRecord): CryptoWallet {
    return Object.assign(new CryptoWallet(), {
      id: row.id,
      account: CryptoAccount.ref(row.accountId),
      asset: row.asset,
      network: row.network,
      address: row.address,
      createdAt: row.createdAt,
    });
  }
}

@ObjectType("CryptoAsset", { description: "A crypto asset the platform holds on one network." })
export class CryptoAsset {
  @Field(() => CurrencyScalar)
  asset!: string;

  @Field(() => String)
  network!: string;

  @Field(() => Int, { description: "Decimals of the minor unit: 8 for BTC (satoshi), 18 for ETH (wei), 6 for USDC." })
  decimals!: number;

  @Field(() => Boolean, { description: "The network a wallet opens on when none is named." })
  isDefault!: boolean;

  @Field(() => MoneyType, { description: "Charged on top of each withdrawal on this network." })
  networkFee!: MoneyType;

  static from(entry: AssetNetwork): CryptoAsset {
    return Object.assign(new CryptoAsset(), {
      asset: entry.asset,
      network: entry.network,
      decimals: currencyInfo(entry.asset).decimals,
      isDefault: entry.isDefault,
      networkFee: MoneyType.from({ amount: entry.networkFee, currency: entry.asset }),
    });
  }
}
