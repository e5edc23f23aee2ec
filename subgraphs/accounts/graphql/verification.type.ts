import { Field, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { DisabledReason, Requirement, Requirements } from "../domain/verification.ts";
import type { AccountRecord } from "../service/account-records.ts";

export const VerificationRequirementEnum = {
  LEGAL_NAME: "LEGAL_NAME",
  DATE_OF_BIRTH: "DATE_OF_BIRTH",
  ID_NUMBER: "ID_NUMBER",
  ADDRESS: "ADDRESS",
} as const satisfies Record<Requirement, Requirement>;
registerEnumType(VerificationRequirementEnum, {
  name: "VerificationRequirement",
  description: "A detail submitVerification must (still) provide.",
});

export const PayoutsDisabledReasonEnum = {
  REQUIREMENTS_DUE: "REQUIREMENTS_DUE",
  PENDING_REVIEW: "PENDING_REVIEW",
  VERIFICATION_FAILED: "VERIFICATION_FAILED",
  CLOSED: "CLOSED",
} as const satisfies Record<DisabledReason, DisabledReason>;
registerEnumType(PayoutsDisabledReasonEnum, {
  name: "PayoutsDisabledReason",
  description: "Why an account cannot receive payouts.",
  valuesConfig: {
    REQUIREMENTS_DUE: { description: "Verification details have not been submitted (see currentlyDue)." },
    PENDING_REVIEW: { description: "Details were submitted in live mode and await review." },
    VERIFICATION_FAILED: { description: "Verification failed (RESTRICTED): submit corrected details." },
    CLOSED: { description: "The account is closed." },
  },
});

@ObjectType("AccountRequirements", { description: "What an account still needs before it can receive payouts." })
export class AccountRequirements {
  @Field(() => [VerificationRequirementEnum], { description: "Details still to submit with submitVerification; empty when none." })
  currentlyDue!: Requirement[];

  @Field(() => PayoutsDisabledReasonEnum, { nullable: true, description: "Why payouts are disabled; null when they are enabled." })
  disabledReason!: DisabledReason | null;

  static from(requirements: Requirements): AccountRequirements {
    return Object.assign(new AccountRequirements(), {
      currentlyDue: [...requirements.currentlyDue],
      disabledReason: requirements.disabledReason,
    });
  }
}

@ObjectType("Address")
export class Address {
  @Field(() => String)
  line1!: string;

  @Field(() => String)
  city!: string;

  @Field(() => String)
  postalCode!: string;

  @Field(() => String, { description: "ISO 3166-1 alpha-2." })
  country!: string;
}

@ObjectType("AccountVerification", {
  description: "The details last submitted with submitVerification (the id number only by its last four).",
})
export class AccountVerification {
  @Field(() => String)
  legalName!: string;

  @Field(() => String, { description: "YYYY-MM-DD." })
  dateOfBirth!: string;

  @Field(() => String)
  idNumberLast4!: string;

  @Field(() => Address)
  address!: Address;

  @Field(() => DateTimeScalar)
  submittedAt!: Date;

  static from(row: AccountRecord): AccountVerification | null {
    if (!row.verificationSubmittedAt || !row.legalName || !row.dateOfBirth || !row.idNumberLast4) return null;
    const address = Object.assign(new Address(), {
      line1: row.addressLine1 ?? "",
      city: row.addressCity ?? "",
      postalCode: row.addressPostalCode ?? "",
      country: row.addressCountry ?? "",
    });
    return Object.assign(new AccountVerification(), {
      legalName: row.legalName,
      dateOfBirth: row.dateOfBirth.toISOString().slice(0, 10),
      idNumberLast4: row.idNumberLast4,
      address,
      submittedAt: row.verificationSubmittedAt,
    });
  }
}
