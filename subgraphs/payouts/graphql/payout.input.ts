import { Field, ID, InputType } from "type-graphql";
import { CurrencyScalar, JSONScalar, MinorUnitsScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import type { PayoutMethod } from "../domain/pricing.ts";
import { PayoutMethodEnum } from "./payout.type.ts";

@InputType({ description: "A payout from an account's available balance to one of its bank accounts, in the bank account's currency." })
export class CreatePayoutInput {
  @Field(() => ID, { description: "The platform itself or one of its connected accounts (payouts enabled)." })
  accountId!: string;

  @Field(() => MinorUnitsScalar, { description: "What the bank account receives, in minor units; an INSTANT fee is charged on top." })
  amount!: bigint;

  @Field(() => CurrencyScalar, { description: "The bank account's currency." })
  currency!: Currency;

  @Field(() => PayoutMethodEnum, { defaultValue: "STANDARD" })
  method!: PayoutMethod;

  @Field(() => ID, {
    nullable: true,
    description: "A bank account (ba_…) of the account; omitted: its default bank account for the currency.",
  })
  destinationId?: string | null;

  @Field(() => String, { nullable: true, description: "At most 22 printable ASCII characters, without < > \\ ' \"." })
  statementDescriptor?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: "Up to 50 string values (keys 1..40, values up to 500 characters)." })
  metadata?: unknown;
}
