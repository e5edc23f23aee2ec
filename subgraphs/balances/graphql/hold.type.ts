import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { ConnectionType } from "../../shared/graphql/pagination.ts";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { HoldStatus } from "../domain/holds.ts";
import type { HoldRecord } from "../service/hold-records.ts";
import { BalancesAccount } from "./account.type.ts";

export const HoldStatusEnum = {
  ACTIVE: "ACTIVE",
  CAPTURED: "CAPTURED",
  RELEASED: "RELEASED",
  EXPIRED: "EXPIRED",
} as const satisfies Record<HoldStatus, HoldStatus>;
registerEnumType(HoldStatusEnum, {
  name: "HoldStatus",
  valuesConfig: {
    ACTIVE: { description: "The amount is in the account's held balance: it can be captured or released until expiresAt." },
    CAPTURED: { description: "capturedAmount went to the destination; the rest went back to available. Final." },
    RELEASED: { description: "Released: all of it went back to available. Final." },
    EXPIRED: { description: "Not captured or released by expiresAt: all of it went back to available. Final." },
  },
});

@Directive('@key(fields: "id")')
@ObjectType("Hold", {
  description:
    "Part of an account's available balance reserved for a later capture: in the account's held balance until captured, released or expired.",
})
export class Hold {
  @Field(() => ID)
  id!: string;

  @Field(() => BalancesAccount, { description: "The account whose funds are held." })
  account!: BalancesAccount;

  @Field(() => MoneyType, { description: "The amount held." })
  amount!: MoneyType;

  @Field(() => MoneyType, { nullable: true, description: "What the capture moved to the destination, once CAPTURED." })
  capturedAmount!: MoneyType | null;

  @Field(() => BalancesAccount, { nullable: true, description: "Where the capture went, once CAPTURED." })
  destination!: BalancesAccount | null;

  @Field(() => HoldStatusEnum)
  status!: HoldStatus;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => DateTimeScalar, { description: "When an ACTIVE hold is released by itself (EXPIRED)." })
  expiresAt!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  capturedAt!: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the held amount left the held balance: captured, released or expired.",
  })
  releasedAt!: Date | null;

  static from(row: HoldRecord): Hold {
    return Object.assign(new Hold(), {
      id: row.id,
      account: BalancesAccount.ref(row.accountId),
      amount: MoneyType.from({ amount: row.amount, currency: row.currency }),
      capturedAmount: row.capturedAmount === null ? null : MoneyType.from({ amount: row.capturedAmount, currency: row.currency }),
      destination: row.destinationAccountId ? BalancesAccount.ref(row.destinationAccountId) : null,
      status: row.status,
      description: row.description,
      expiresAt: row.expiresAt,
      createdAt: row.createdAt,
      capturedAt: row.capturedAt,
      releasedAt: row.releasedAt,
    });
  }
}

@ObjectType()
export class HoldConnection extends ConnectionType("Hold", Hold) {}
