import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { ConnectionType } from "../../shared/graphql/pagination.ts";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import { JSONScalar } from "../../shared/graphql/scalars.ts";
import type { PayoutRecord } from "../store.ts";
import { BalanceTransactionRef, ExternalAccountRef, PayoutsAccount } from "./references.type.ts";

export const PayoutMethodEnum = { STANDARD: "STANDARD", INSTANT: "INSTANT" } as const;
export const PayoutStatusEnum = {
  PENDING: "PENDING",
  IN_TRANSIT: "IN_TRANSIT",
  PAID: "PAID",
  FAILED: "FAILED",
  CANCELED: "CANCELED",
} as const satisfies Record<PayoutRecord["status"], PayoutRecord["status"]>;
registerEnumType(PayoutMethodEnum, {
  name: "PayoutMethod",
  valuesConfig: {
    STANDARD: { description: "Free; arrives at the start of the second business day after creation." },
    INSTANT: { description: "1% fee (at least 50 minor units), at most 10,000 whole units per payout; arrives within 30 minutes." },
  },
});
registerEnumType(PayoutStatusEnum, {
  name: "PayoutStatus",
  valuesConfig: {
    PENDING: { description: "Created and debited; not yet sent to the bank. Can be canceled." },
    IN_TRANSIT: { description: "Sent to the bank." },
    PAID: { description: "Arrived at the bank account. Final." },
    FAILED: { description: "The bank refused it (see failureCode); amount and fee were credited back. Final." },
    CANCELED: { description: "Canceled while pending; amount and fee were credited back. Final." },
  },
});

@Directive('@key(fields: "id")')
@ObjectType("Payout", { description: "Money sent from an account's available balance to one of its bank accounts." })
export class Payout {
  @Field(() => ID)
  id!: string;

  @Field(() => PayoutsAccount)
  account!: PayoutsAccount;

  @Field(() => MoneyType)
  amount!: MoneyType;

  @Field(() => MoneyType)
  fee!: MoneyType;

  @Field(() => PayoutMethodEnum)
  method!: PayoutRecord["method"];

  @Field(() => PayoutStatusEnum)
  status!: PayoutRecord["status"];

  @Field(() => ExternalAccountRef, { description: "The bank account it is sent to." })
  destination!: ExternalAccountRef;

  @Field(() => DateTimeScalar, { description: "When the money is expected at the bank." })
  arrivalDate!: Date;

  @Field(() => String, {
    nullable: true,
    description: "Why it FAILED: account_closed, no_account, insufficient_funds, invalid_account_number, could_not_process, …",
  })
  failureCode!: string | null;

  @Field(() => String, { nullable: true })
  failureMessage!: string | null;

  @Field(() => String, { nullable: true, description: "Shown on the recipient's bank statement." })
  statementDescriptor!: string | null;

  @Field(() => JSONScalar)
  metadata!: Record<string, string>;

  @Field(() => BalanceTransactionRef, { description: "The PAYOUT debit of the balance (amount and fee)." })
  balanceTransaction!: BalanceTransactionRef;

  @Field(() => BalanceTransactionRef, {
    nullable: true,
    description: "The PAYOUT_FAILURE or PAYOUT_CANCEL credit that gave amount and fee back, once FAILED or CANCELED.",
  })
  reversalBalanceTransaction!: BalanceTransactionRef | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  static from(row: PayoutRecord): Payout {
    const currency = row.currency;
    return Object.assign(new Payout(), {
      id: row.id,
      account: PayoutsAccount.ref(row.accountId),
      amount: MoneyType.from({ amount: row.amount, currency }),
      fee: MoneyType.from({ amount: row.fee, currency }),
      method: row.method,
      status: row.status,
      destination: ExternalAccountRef.ref(row.destinationId),
      arrivalDate: row.arrivalDate,
      failureCode: row.failureCode,
      failureMessage: row.failureMessage,
      statementDescriptor: row.statementDescriptor,
      metadata: { ...row.metadata },
      balanceTransaction: BalanceTransactionRef.ref(row.balanceTransactionId),
      reversalBalanceTransaction: row.reversalBalanceTransactionId ? BalanceTransactionRef.ref(row.reversalBalanceTransactionId) : null,
      createdAt: row.createdAt,
    });
  }
}

@ObjectType()
export class PayoutConnection extends ConnectionType("Payout", Payout) {}
