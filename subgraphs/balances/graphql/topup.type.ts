import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { ConnectionType } from "../../shared/graphql/pagination.ts";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { TopupRecord } from "../service/topup-records.ts";
import { BalancesAccount } from "./account.type.ts";

export const TopupStatusEnum = { PENDING: "PENDING", SUCCEEDED: "SUCCEEDED" } as const;
registerEnumType(TopupStatusEnum, { name: "TopupStatus" });

@Directive('@key(fields: "id")')
@ObjectType("Topup", { description: "Money added to an account from outside: pending until it settles." })
export class Topup {
  @Field(() => ID)
  id!: string;

  @Field(() => BalancesAccount)
  account!: BalancesAccount;

  @Field(() => MoneyType)
  amount!: MoneyType;

  @Field(() => TopupStatusEnum)
  status!: TopupRecord["status"];

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => DateTimeScalar, { description: "When the funds become (or became) available." })
  availableOn!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  balanceTransactionId!: string;

  static from(row: TopupRecord): Topup {
    return Object.assign(new Topup(), {
      id: row.id,
      account: BalancesAccount.ref(row.accountId),
      amount: MoneyType.from({ amount: row.amount, currency: row.currency }),
      status: row.status,
      description: row.description,
      availableOn: row.settledAt ?? row.settlesAt,
      createdAt: row.createdAt,
      balanceTransactionId: row.balanceTransactionId,
    });
  }
}

@ObjectType()
export class TopupConnection extends ConnectionType("Topup", Topup) {}
