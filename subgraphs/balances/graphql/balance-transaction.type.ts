import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { ConnectionType } from "../../shared/graphql/pagination.ts";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { BalanceTransactionRecord } from "../service/balance-transactions.ts";

export const BalanceTransactionTypeEnum = {
  TOPUP: "TOPUP",
  TRANSFER: "TRANSFER",
  PAYOUT: "PAYOUT",
  PAYOUT_FAILURE: "PAYOUT_FAILURE",
  PAYOUT_CANCEL: "PAYOUT_CANCEL",
  PAYOUT_FEE: "PAYOUT_FEE",
  CRYPTO_CONVERSION: "CRYPTO_CONVERSION",
  CRYPTO_WITHDRAWAL: "CRYPTO_WITHDRAWAL",
  CRYPTO_WITHDRAWAL_FAILURE: "CRYPTO_WITHDRAWAL_FAILURE",
  CRYPTO_DEPOSIT: "CRYPTO_DEPOSIT",
  ADJUSTMENT: "ADJUSTMENT",
  HOLD: "HOLD",
  HOLD_CAPTURE: "HOLD_CAPTURE",
  HOLD_RELEASE: "HOLD_RELEASE",
} as const satisfies Record<BalanceTransactionRecord["type"], BalanceTransactionRecord["type"]>;
export const BalanceTransactionStatusEnum = { PENDING: "PENDING", AVAILABLE: "AVAILABLE" } as const;
registerEnumType(BalanceTransactionTypeEnum, { name: "BalanceTransactionType" });
registerEnumType(BalanceTransactionStatusEnum, { name: "BalanceTransactionStatus" });

@Directive('@key(fields: "id")')
@ObjectType("BalanceTransaction", { description: "One change to an account's balance, as the account holder sees it." })
export class BalanceTransaction {
  @Field(() => ID)
  id!: string;

  @Field(() => BalanceTransactionTypeEnum)
  type!: BalanceTransactionRecord["type"];

  @Field(() => MoneyType, { description: "Gross amount: negative when money leaves the account." })
  amount!: MoneyType;

  @Field(() => MoneyType)
  fee!: MoneyType;

  @Field(() => MoneyType, { description: "amount - fee." })
  net!: MoneyType;

  @Field(() => BalanceTransactionStatusEnum)
  status!: BalanceTransactionRecord["status"];

  @Field(() => DateTimeScalar, { description: "When the funds become available." })
  availableOn!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true, description: "The id of the object that caused it (tu_…, tr_…, po_…)." })
  sourceId!: string | null;

  static from(row: BalanceTransactionRecord): BalanceTransaction {
    const money = (amount: bigint) => MoneyType.from({ amount, currency: row.currency });
    return Object.assign(new BalanceTransaction(), {
      id: row.id,
      type: row.type,
      amount: money(row.amount),
      fee: money(row.fee),
      net: money(row.net),
      status: row.status,
      availableOn: row.availableOn,
      createdAt: row.createdAt,
      description: row.description,
      sourceId: row.sourceId,
    });
  }
}

@ObjectType()
export class BalanceTransactionConnection extends ConnectionType("BalanceTransaction", BalanceTransaction) {}
