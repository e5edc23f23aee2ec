import { Field, ObjectType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { CurrencyScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import type { AccountBalance } from "../../ledger/api.ts";

@ObjectType("Balance", { description: "What an account holds in one currency." })
export class Balance {
  @Field(() => CurrencyScalar)
  currency!: Currency;

  @Field(() => MoneyType, { description: "Settled funds: can be transferred or paid out." })
  available!: MoneyType;

  @Field(() => MoneyType, { description: "Funds that have not settled yet." })
  pending!: MoneyType;

  @Field(() => MoneyType, { description: "Reserved by holds: out of available until captured, released or expired." })
  held!: MoneyType;

  static from(balance: AccountBalance): Balance {
    return Object.assign(new Balance(), {
      currency: balance.currency,
      available: MoneyType.from({ amount: balance.available, currency: balance.currency }),
      pending: MoneyType.from({ amount: balance.pending, currency: balance.currency }),
      held: MoneyType.from({ amount: balance.held, currency: balance.currency }),
    });
  }
}
