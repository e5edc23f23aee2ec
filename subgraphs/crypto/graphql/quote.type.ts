import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "../../shared/graphql/money.type.ts";
import { ConnectionType } from "../../shared/graphql/pagination.ts";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import { quoteStatus, type QuoteStatus } from "../domain/conversion.ts";
import { formatRational, type Rational } from "../../shared/money/rational.ts";
import type { ConversionRecord, QuoteRecord } from "../store/quotes.ts";
import { BalanceTransactionRef, CryptoAccount } from "./references.type.ts";

export const CryptoQuoteStatusEnum = { OPEN: "OPEN", EXECUTED: "EXECUTED", EXPIRED: "EXPIRED" } as const satisfies Record<
  QuoteStatus,
  QuoteStatus
>;
registerEnumType(CryptoQuoteStatusEnum, { name: "CryptoQuoteStatus" });

const RATE_DESCRIPTION =
  "Destination units per source unit (whole units), as a decimal string: exact when its expansion ends, otherwise cut after 20 significant digits (exactRate has it exactly).";
const EXACT_RATE_DESCRIPTION = 'The rate as an exact reduced fraction "numerator/denominator" of whole units, e.g. "1/2500".';

const exact = (rate: Rational) => `${rate.num}/${rate.den}`;

@Directive('@key(fields: "id")')
@ObjectType("CryptoQuote", {
  description:
    "A price to convert one currency into another, executable once until expiresAt. destinationAmount = floor((sourceAmount - fee) * rate), fee = ceil(sourceAmount * spread).",
})
export class CryptoQuote {
  @Field(() => ID)
  id!: string;

  @Field(() => CryptoAccount)
  account!: CryptoAccount;

  @Field(() => MoneyType, { description: "What leaves the account, fee included." })
  sourceAmount!: MoneyType;

  @Field(() => MoneyType, { description: "What the account receives." })
  destinationAmount!: MoneyType;

  @Field(() => MoneyType, { description: "The spread fee, in the source currency, included in sourceAmount." })
  fee!: MoneyType;

  @Field(() => String, { description: RATE_DESCRIPTION })
  rate!: string;

  @Field(() => String, { description: EXACT_RATE_DESCRIPTION })
  exactRate!: string;

  @Field(() => CryptoQuoteStatusEnum)
  status!: QuoteStatus;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  conversionId!: string | null;

  static from(row: QuoteRecord, now = new Date()): CryptoQuote {
    return Object.assign(new CryptoQuote(), {
      id: row.id,
      account: CryptoAccount.ref(row.accountId),
      sourceAmount: MoneyType.from({ amount: row.sourceAmount, currency: row.sourceCurrency }),
      destinationAmount: MoneyType.from({ amount: row.destinationAmount, currency: row.destinationCurrency }),
      fee: MoneyType.from({ amount: row.fee, currency: row.sourceCurrency }),
      rate: formatRational(row.rate),
      exactRate: exact(row.rate),
      status: quoteStatus(row, now),
      expiresAt: row.expiresAt,
      createdAt: row.createdAt,
      conversionId: row.conversionId,
    });
  }
}

@Directive('@key(fields: "id")')
@ObjectType("CryptoConversion", { description: "An executed quote: one ledger transaction debiting one currency and crediting the other." })
export class CryptoConversion {
  @Field(() => ID)
  id!: string;

  @Field(() => CryptoAccount)
  account!: CryptoAccount;

  @Field(() => MoneyType)
  sourceAmount!: MoneyType;

  @Field(() => MoneyType)
  destinationAmount!: MoneyType;

  @Field(() => MoneyType)
  fee!: MoneyType;

  @Field(() => String, { description: RATE_DESCRIPTION })
  rate!: string;

  @Field(() => String, { description: EXACT_RATE_DESCRIPTION })
  exactRate!: string;

  @Field(() => BalanceTransactionRef, { description: "The debit of the source currency (net = -sourceAmount)." })
  sourceBalanceTransaction!: BalanceTransactionRef;

  @Field(() => BalanceTransactionRef, { description: "The credit of the destination currency." })
  destinationBalanceTransaction!: BalanceTransactionRef;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  quoteId!: string;

  static from(row: ConversionRecord): CryptoConversion {
    return Object.assign(new CryptoConversion(), {
      id: row.id,
      account: CryptoAccount.ref(row.accountId),
      sourceAmount: MoneyType.from({ amount: row.sourceAmount, currency: row.sourceCurrency }),
      destinationAmount: MoneyType.from({ amount: row.destinationAmount, currency: row.destinationCurrency }),
      fee: MoneyType.from({ amount: row.fee, currency: row.sourceCurrency }),
      rate: formatRational(row.rate),
      exactRate: exact(row.rate),
      sourceBalanceTransaction: BalanceTransactionRef.ref(row.sourceBalanceTransactionId),
      destinationBalanceTransaction: BalanceTransactionRef.ref(row.destinationBalanceTransactionId),
      createdAt: row.createdAt,
      quoteId: row.quoteId,
    });
  }
}

@ObjectType()
export class CryptoQuoteConnection extends ConnectionType("CryptoQuote", CryptoQuote) {}

@ObjectType()
export class CryptoConversionConnection extends ConnectionType("CryptoConversion", CryptoConversion) {}
