import { Directive, Field, ObjectType } from "type-graphql";
import type { Currency } from "../money/currency.ts";
import { formatDecimal, type Money } from "../money/money.ts";
import { CurrencyScalar, MinorUnitsScalar } from "./scalars.ts";

@Directive("@shareable")
@ObjectType("Money", { description: "An exact amount of one currency." })
export class MoneyType {
  @Field(() => MinorUnitsScalar, { description: "Integer minor units, as a string of digits." })
  amount!: bigint;

  @Field(() => CurrencyScalar)
  currency!: Currency;

  @Field(() => String, { description: 'The human form, e.g. "10.50".' })
  decimal!: string;

  static from(money: Money): MoneyType {
    return Object.assign(new MoneyType(), {
      amount: money.amount,
      currency: money.currency,
      decimal: formatDecimal(money.amount, money.currency),
    });
  }
}
