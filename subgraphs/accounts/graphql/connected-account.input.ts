import { Field, InputType } from "type-graphql";
import { CurrencyScalar, JSONScalar } from "../../shared/graphql/scalars.ts";

@InputType()
export class CreateConnectedAccountInput {
  @Field(() => String)
  displayName!: string;

  @Field(() => String, { description: "ISO 3166-1 alpha-2." })
  country!: string;

  @Field(() => CurrencyScalar, { description: "A fiat currency." })
  defaultCurrency!: string;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: "String values only; at most 50 keys of up to 40 characters, values up to 500." })
  metadata?: unknown;
}

@InputType({ description: "Only the fields given change." })
export class UpdateConnectedAccountInput {
  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: "null clears it." })
  email?: string | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Merged into the existing metadata: a key set to null or "" is removed, other keys are kept.',
  })
  metadata?: unknown;
}

@InputType()
export class AddressInput {
  @Field(() => String)
  line1!: string;

  @Field(() => String)
  city!: string;

  @Field(() => String)
  postalCode!: string;

  @Field(() => String, { description: "ISO 3166-1 alpha-2." })
  country!: string;
}

@InputType({
  description:
    'The person behind a connected account. Test mode: idNumber "000000000" verifies (ACTIVE, payouts enabled), ' +
    '"111111111" fails (RESTRICTED); other well-formed numbers verify.',
})
export class SubmitVerificationInput {
  @Field(() => String)
  legalName!: string;

  @Field(() => String, { description: "YYYY-MM-DD; the holder must be at least 18." })
  dateOfBirth!: string;

  @Field(() => String, { description: "SSN or ITIN (9 digits) in the US; a national id number elsewhere. Only its last four are kept." })
  idNumber!: string;

  @Field(() => AddressInput)
  address!: AddressInput;
}
