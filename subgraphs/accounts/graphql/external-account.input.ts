import { Field, InputType } from "type-graphql";
import { CurrencyScalar } from "../../shared/graphql/scalars.ts";

@InputType({
  description:
    "US accounts: routingNumber and accountNumber (USD). SEPA countries: iban (EUR; also GBP in GB, CHF in CH and LI). " +
    "Test values: routing number 110000000 with account numbers 000123456789 (paid), 000111111116 (fails no_account), " +
    "000111111113 (fails account_closed), 000222222227 (fails insufficient_funds); IBAN DE89370400440532013000 (EUR, paid).",
})
export class AddExternalAccountInput {
  @Field(() => String, { description: "ISO 3166-1 alpha-2 country of the bank." })
  country!: string;

  @Field(() => CurrencyScalar)
  currency!: string;

  @Field(() => String)
  accountHolderName!: string;

  @Field(() => String, { nullable: true, description: "US: the 9-digit ABA routing number." })
  routingNumber?: string | null;

  @Field(() => String, { nullable: true, description: "US: 4 to 17 digits. Stored encrypted; never shown again but its last four." })
  accountNumber?: string | null;

  @Field(() => String, { nullable: true, description: "Outside the US: the IBAN (spaces allowed). Stored encrypted." })
  iban?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Make it the default for its currency. The first bank account of a currency always becomes its default.",
  })
  defaultForCurrency?: boolean | null;
}
