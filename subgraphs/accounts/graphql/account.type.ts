import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { CurrencyScalar, DateTimeScalar, JSONScalar } from "../../shared/graphql/scalars.ts";
import { ConnectionType } from "../../shared/graphql/pagination.ts";
import type { AccountStatus, AccountType } from "../domain/account.ts";
import { requirementsOf } from "../domain/verification.ts";
import type { AccountRecord } from "../service/account-records.ts";
import { AccountRequirements, AccountVerification } from "./verification.type.ts";

export const AccountTypeEnum = { PLATFORM: "PLATFORM", CONNECTED: "CONNECTED" } as const satisfies Record<AccountType, AccountType>;
export const AccountStatusEnum = {
  PENDING_VERIFICATION: "PENDING_VERIFICATION",
  ACTIVE: "ACTIVE",
  RESTRICTED: "RESTRICTED",
  CLOSED: "CLOSED",
} as const satisfies Record<AccountStatus, AccountStatus>;
registerEnumType(AccountTypeEnum, { name: "AccountType" });
registerEnumType(AccountStatusEnum, {
  name: "AccountStatus",
  valuesConfig: {
    PENDING_VERIFICATION: { description: "New connected accounts: verification details are due (see requirements)." },
    ACTIVE: { description: "Verified; payouts are enabled." },
    RESTRICTED: { description: "Verification failed: no payouts until corrected details are submitted." },
    CLOSED: { description: "Closed by the platform: no payouts, no changes." },
  },
});

@Directive('@key(fields: "id")')
@ObjectType("Account", { description: "A platform, or a connected account that a platform pays." })
export class Account {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => AccountTypeEnum)
  type!: AccountType;

  @Field(() => String, { description: "ISO 3166-1 alpha-2." })
  country!: string;

  @Field(() => CurrencyScalar)
  defaultCurrency!: string;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => AccountStatusEnum)
  status!: AccountStatus;

  @Field(() => Boolean, { description: "Whether the account can receive payouts: ACTIVE and verified." })
  payoutsEnabled!: boolean;

  @Field(() => AccountRequirements, { description: "What is still due before payouts are enabled, and why they are not." })
  requirements!: AccountRequirements;

  @Field(() => AccountVerification, { nullable: true, description: "The verification details last submitted, if any." })
  verification!: AccountVerification | null;

  /** Resolved by AccountResolver.livemode: the platform's row serves both modes. */
  livemode!: boolean;

  @Field(() => JSONScalar, {
    description: "The platform's own key-value strings (at most 50 keys, 40-character keys, 500-character values).",
  })
  metadata!: unknown;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  closedAt!: Date | null;

  /** Not a field: resolved into `platform` by the resolver. */
  platformId!: string | null;

  static from(row: AccountRecord): Account {
    return Object.assign(new Account(), {
      id: row.id,
      displayName: row.displayName,
      type: row.type,
      country: row.country,
      defaultCurrency: row.defaultCurrency,
      email: row.email,
      status: row.status,
      payoutsEnabled: row.payoutsEnabled,
      requirements: AccountRequirements.from(
        requirementsOf({ type: row.type, status: row.status, verificationSubmitted: row.verificationSubmittedAt !== null }),
      ),
      verification: AccountVerification.from(row),
      livemode: row.livemode,
      metadata: row.metadata,
      createdAt: row.createdAt,
      closedAt: row.closedAt,
      platformId: row.platformId,
    });
  }
}

@ObjectType()
export class AccountConnection extends ConnectionType("Account", Account) {
  /** The whole filtered list's size, counted only when `totalCount` is asked for (set by the list's resolver). */
  count!: () => Promise<number>;
}
