import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { ConnectionType } from "../../shared/graphql/pagination.ts";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { WithdrawalStatus } from "../domain/withdrawal.ts";
import type { DepositRecord } from "../store/deposits.ts";
import type { WithdrawalRecord } from "../store/withdrawals.ts";
import { BalanceTransactionRef, CryptoAccount } from "./references.type.ts";

export const CryptoWithdrawalStatusEnum = {
  PENDING: "PENDING",
  BROADCAST: "BROADCAST",
  CONFIRMED: "CONFIRMED",
  FAILED: "FAILED",
} as const satisfies Record<WithdrawalStatus, WithdrawalStatus>;
registerEnumType(CryptoWithdrawalStatusEnum, { name: "CryptoWithdrawalStatus" });

export const CryptoDepositStatusEnum = { CONFIRMED: "CONFIRMED" } as const;
registerEnumType(CryptoDepositStatusEnum, { name: "CryptoDepositStatus" });

@Directive('@key(fields: "id")')
@ObjectType("CryptoWithdrawal", {
  description:
    "Crypto sent from a wallet to an external address: PENDING, then BROADCAST, then CONFIRMED or FAILED (the balance is restored).",
})
export class CryptoWithdrawal {
  @Field(() => ID)
  id!: string;

  @Field(() => CryptoAccount)
  account!: CryptoAccount;

  @Field(() => MoneyType, { description: "What arrives at the address." })
  amount!: MoneyType;

  @Field(() => MoneyType, { description: "Charged on top of amount: the balance is debited amount + networkFee." })
  networkFee!: MoneyType;

  @Field(() => String)
  network!: string;

  @Field(() => String, { description: "The destination (EIP-55 form on ethereum, lower case for bech32)." })
  address!: string;

  @Field(() => CryptoWithdrawalStatusEnum)
  status!: WithdrawalStatus;

  @Field(() => String, { nullable: true, description: "Set once broadcast (simulated)." })
  transactionHash!: string | null;

  @Field(() => String, { nullable: true })
  failureCode!: string | null;

  @Field(() => String, { nullable: true })
  failureMessage!: string | null;

  @Field(() => BalanceTransactionRef, { description: "The debit (type CRYPTO_WITHDRAWAL)." })
  balanceTransaction!: BalanceTransactionRef;

  @Field(() => BalanceTransactionRef, { nullable: true, description: "The credit back when it failed (type CRYPTO_WITHDRAWAL_FAILURE)." })
  failureBalanceTransaction!: BalanceTransactionRef | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  broadcastAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When it was confirmed or failed." })
  completedAt!: Date | null;

  walletId!: string;

  static from(row: WithdrawalRecord): CryptoWithdrawal {
    return Object.assign(new CryptoWithdrawal(), {
      id: row.id,
      account: CryptoAccount.ref(row.accountId),
      amount: MoneyType.from({ amount: row.amount, currency: row.asset }),
      networkFee: MoneyType.from({ amount: row.networkFee, currency: row.asset }),
      network: row.network,
      address: row.address,
      status: row.status,
      transactionHash: row.transactionHash,
      failureCode: row.failureCode,
      failureMessage: row.failureMessage,
      balanceTransaction: BalanceTransactionRef.ref(row.balanceTransactionId),
      failureBalanceTransaction: row.failureBalanceTransactionId ? BalanceTransactionRef.ref(row.failureBalanceTransactionId) : null,
      createdAt: row.createdAt,
      broadcastAt: row.broadcastAt,
      completedAt: row.completedAt,
      walletId: row.walletId,
    });
  }
}

@Directive('@key(fields: "id")')
@ObjectType("CryptoDeposit", { description: "Crypto received at a wallet's address (test mode: simulated)." })
export class CryptoDeposit {
  @Field(() => ID)
  id!: string;

  @Field(() => CryptoAccount)
  account!: CryptoAccount;

  @Field(() => MoneyType)
  amount!: MoneyType;

  @Field(() => String)
  network!: string;

  @Field(() => CryptoDepositStatusEnum)
  status!: keyof typeof CryptoDepositStatusEnum;

  @Field(() => String)
  transactionHash!: string;

  @Field(() => BalanceTransactionRef, { description: "The credit (type CRYPTO_DEPOSIT)." })
  balanceTransaction!: BalanceTransactionRef;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  walletId!: string;

  static from(row: DepositRecord): CryptoDeposit {
    return Object.assign(new CryptoDeposit(), {
      id: row.id,
      account: CryptoAccount.ref(row.accountId),
      amount: MoneyType.from({ amount: row.amount, currency: row.asset }),
      network: row.network,
      status: "CONFIRMED" as const,
      transactionHash: row.transactionHash,
      balanceTransaction: BalanceTransactionRef.ref(row.balanceTransactionId),
      createdAt: row.createdAt,
      walletId: row.walletId,
    });
  }
}

@ObjectType()
export class CryptoWithdrawalConnection extends ConnectionType("CryptoWithdrawal", CryptoWithdrawal) {}

@ObjectType()
export class CryptoDepositConnection extends ConnectionType("CryptoDeposit", CryptoDeposit) {}
