import { Directive, Field, ID, ObjectType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { ConnectionType } from "../../shared/graphql/pagination.ts";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { TransferRecord } from "../service/transfer-records.ts";
import { BalancesAccount } from "./account.type.ts";

@Directive('@key(fields: "id")')
@ObjectType("Transfer", { description: "Available funds moved from a platform to one of its connected accounts." })
export class Transfer {
  @Field(() => ID)
  id!: string;

  @Field(() => MoneyType)
  amount!: MoneyType;

  @Field(() => BalancesAccount, { description: "The platform the funds left." })
  source!: BalancesAccount;

  @Field(() => BalancesAccount)
  destination!: BalancesAccount;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  balanceTransactionId!: string;
  destinationBalanceTransactionId!: string;

  static from(row: TransferRecord): Transfer {
    return Object.assign(new Transfer(), {
      id: row.id,
      amount: MoneyType.from({ amount: row.amount, currency: row.currency }),
      source: BalancesAccount.ref(row.sourceAccountId),
      destination: BalancesAccount.ref(row.destinationAccountId),
      description: row.description,
      createdAt: row.createdAt,
      balanceTransactionId: row.balanceTransactionId,
      destinationBalanceTransactionId: row.destinationBalanceTransactionId,
    });
  }
}

@ObjectType()
export class TransferConnection extends ConnectionType("Transfer", Transfer) {}
