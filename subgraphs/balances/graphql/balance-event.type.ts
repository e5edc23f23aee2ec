import { Field, ID, ObjectType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { CurrencyScalar, DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import type { BalanceEventRow } from "../../ledger/api.ts";
import { BalancesAccount } from "./account.type.ts";

@ObjectType("BalanceEvent", { description: "One committed change of an account's balance in one currency: the balance after it." })
export class BalanceEvent {
  @Field(() => ID, { description: "evt_…; also the cursor: `balanceChanged(accountId, after: id)` resumes after this event." })
  id!: string;

  @Field(() => BalancesAccount)
  account!: BalancesAccount;

  @Field(() => CurrencyScalar)
  currency!: Currency;

  @Field(() => MoneyType, { description: "The available balance after the change." })
  available!: MoneyType;

  @Field(() => MoneyType, { description: "The pending balance after the change." })
  pending!: MoneyType;

  @Field(() => MoneyType, { description: "The held balance after the change." })
  held!: MoneyType;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;

  /** The row behind it, for the fields resolved on demand (balanceTransaction). */
  row!: BalanceEventRow;

  static from(row: BalanceEventRow): BalanceEvent {
    return Object.assign(new BalanceEvent(), {
      id: row.id,
      account: BalancesAccount.ref(row.accountId),
      currency: row.currency,
      available: MoneyType.from({ amount: row.available, currency: row.currency }),
      pending: MoneyType.from({ amount: row.pending, currency: row.currency }),
      held: MoneyType.from({ amount: row.held, currency: row.currency }),
      occurredAt: row.occurredAt,
      row,
    });
  }
}
