import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { CurrencyScalar, DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { ExternalAccountRecord } from "../service/external-account-records.ts";

export const ExternalAccountStatusEnum = { ACTIVE: "ACTIVE", REMOVED: "REMOVED" } as const;
registerEnumType(ExternalAccountStatusEnum, {
  name: "ExternalAccountStatus",
  valuesConfig: {
    ACTIVE: { description: "Receives payouts." },
    REMOVED: { description: "Removed by the platform; kept because payouts refer to it." },
  },
});

/** The account number itself is never part of the API: it is stored encrypted and shown by its last four. */
@Directive('@key(fields: "id")')
@ObjectType("ExternalAccount", { description: "A bank account that payouts are sent to (ba_…)." })
export class ExternalAccount {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  accountHolderName!: string;

  @Field(() => String, { nullable: true, description: "Known for some banks (test bank 110000000: STRIPE TEST BANK)." })
  bankName!: string | null;

  @Field(() => String, { description: "ISO 3166-1 alpha-2 country of the bank." })
  country!: string;

  @Field(() => CurrencyScalar)
  currency!: string;

  @Field(() => String, { description: "The last four characters of the account number or IBAN." })
  last4!: string;

  @Field(() => String, {
    description:
      "Equal for the same bank account (routing and account number, or IBAN) within a platform: spot one bank account on several connected accounts.",
  })
  fingerprint!: string;

  @Field(() => Boolean, { description: "Payouts in this currency go here unless a payout names another bank account." })
  defaultForCurrency!: boolean;

  @Field(() => ExternalAccountStatusEnum)
  status!: keyof typeof ExternalAccountStatusEnum;

  @Field(() => Boolean)
  livemode!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  removedAt!: Date | null;

  /** Not a field: resolved into `account`. */
  accountId!: string;

  static from(row: ExternalAccountRecord): ExternalAccount {
    return Object.assign(new ExternalAccount(), {
      id: row.id,
      accountHolderName: row.accountHolderName,
      bankName: row.bankName,
      country: row.country,
      currency: row.currency,
      last4: row.last4,
      fingerprint: row.fingerprint,
      defaultForCurrency: row.defaultForCurrency,
      status: row.removedAt ? "REMOVED" : "ACTIVE",
      livemode: row.livemode,
      createdAt: row.createdAt,
      removedAt: row.removedAt,
      accountId: row.accountId,
    });
  }
}
