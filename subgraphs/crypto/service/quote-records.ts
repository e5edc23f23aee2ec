// Quotes and conversions as records (bigint amounts, exact rates), read in the caller's tenant
// and mode.

import type { CryptoConversion as ConversionRow, CryptoQuote as QuoteRow } from "../../../prisma/generated/client.ts";
import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { toBigInt } from "../../shared/db/decimal.ts";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { rational, type Rational } from "../../shared/money/rational.ts";
import type { Scope } from "./wallet-records.ts";

export interface QuoteRecord {
  readonly id: string;
  readonly accountId: string;
  readonly sourceCurrency: Currency;
  readonly destinationCurrency: Currency;
  readonly sourceAmount: bigint;
  readonly fee: bigint;
  readonly destinationAmount: bigint;
  readonly rate: Rational;
  readonly expiresAt: Date;
  readonly conversionId: string | null;
  readonly createdAt: Date;
}

export interface ConversionRecord {
  readonly id: string;
  readonly accountId: string;
  readonly quoteId: string;
  readonly sourceCurrency: Currency;
  readonly destinationCurrency: Currency;
  readonly sourceAmount: bigint;
  readonly fee: bigint;
  readonly destinationAmount: bigint;
  readonly rate: Rational;
  readonly sourceBalanceTransactionId: string;
  readonly destinationBalanceTransactionId: string;
  readonly createdAt: Date;
}

function currency(code: string, id: string): Currency {
  const parsed = parseCurrency(code);
  if (!parsed) throw new Error(`${id} has an unknown currency ${code}`);
  return parsed;
}

type Numeric = { toFixed(): string } | string;
const big = (value: Numeric) => (typeof value === "string" ? BigInt(value) : toBigInt(value));

interface QuoteFields {
  id: string;
  accountId: string;
  sourceCurrency: string;
  destinationCurrency: string;
  sourceAmount: Numeric;
  fee: Numeric;
  destinationAmount: Numeric;
  rateNumerator: Numeric;
  rateDenominator: Numeric;
  expiresAt: Date;
  conversionId: string | null;
  createdAt: Date;
}

function quoteRecord(row: QuoteFields): QuoteRecord {
  return {
    id: row.id,
    accountId: row.accountId,
    sourceCurrency: currency(row.sourceCurrency, row.id),
    destinationCurrency: currency(row.destinationCurrency, row.id),
    sourceAmount: big(row.sourceAmount),
    fee: big(row.fee),
    destinationAmount: big(row.destinationAmount),
    rate: rational(big(row.rateNumerator), big(row.rateDenominator)),
    expiresAt: new Date(row.expiresAt),
    conversionId: row.conversionId,
    createdAt: new Date(row.createdAt),
  };
}

export function conversionRecord(row: ConversionRow): ConversionRecord {
  return {
    id: row.id,
    accountId: row.accountId,
    quoteId: row.quoteId,
    sourceCurrency: currency(row.sourceCurrency, row.id),
    destinationCurrency: currency(row.destinationCurrency, row.id),
    sourceAmount: toBigInt(row.sourceAmount),
    fee: toBigInt(row.fee),
    destinationAmount: toBigInt(row.destinationAmount),
    rate: rational(toBigInt(row.rateNumerator), toBigInt(row.rateDenominator)),
    sourceBalanceTransactionId: row.sourceBalanceTransactionId,
    destinationBalanceTransactionId: row.destinationBalanceTransactionId,
    createdAt: row.createdAt,
  };
}

export async function insertQuote(sql: SqlClient, scope: Scope, quote: QuoteRecord): Promise<void> {
  await sql.query(
    `INSERT INTO crypto_quote (id, tenant_id, livemode, account_id, source_currency, destination_currency, source_amount, fee,
                               destination_amount, rate_numerator, rate_denominator, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, $9::numeric, $10::numeric, $11::numeric, $12, $13)`,
    [
      quote.id, scope.tenantId, scope.livemode, quote.accountId, quote.sourceCurrency, quote.destinationCurrency, quote.sourceAmount.toString(),
      quote.fee.toString(), quote.destinationAmount.toString(), quote.rate.num.toString(), quote.rate.den.toString(), quote.expiresAt, quote.createdAt,
    ],
  );
}

/** The quote, locked for its execution; null outside the caller's tenant and mode. */
export async function lockQuote(sql: SqlClient, scope: Scope, id: string): Promise<QuoteRecord | null> {
  const [row] = await sql.query<Record<string, unknown>>(
    `SELECT id, account_id, source_currency, destination_currency, source_amount::text, fee::text, destination_amount::text,
            rate_numerator::text, rate_denominator::text, expires_at, conversion_id, created_at
       FROM crypto_quote WHERE id = $1 AND tenant_id = $2 AND livemode = $3
        FOR UPDATE`,
    [id, scope.tenantId, scope.livemode],
  );
  if (!row) return null;
  return quoteRecord({
    id: row["id"] as string,
    accountId: row["account_id"] as string,
    sourceCurrency: row["source_currency"] as string,
    destinationCurrency: row["destination_currency"] as string,
    sourceAmount: row["source_amount"] as string,
    fee: row["fee"] as string,
    destinationAmount: row["destination_amount"] as string,
    rateNumerator: row["rate_numerator"] as string,
    rateDenominator: row["rate_denominator"] as string,
    expiresAt: row["expires_at"] as Date,
    conversionId: row["conversion_id"] as string | null,
    createdAt: row["created_at"] as Date,
  });
}

export async function findQuotes(deps: Dependencies, principal: PlatformPrincipal, ids: readonly string[]): Promise<(QuoteRecord | null)[]> {
  const rows: QuoteRow[] = await deps.db.prisma.cryptoQuote.findMany({
    where: { id: { in: [...ids] }, tenantId: principal.tenantId, livemode: principal.livemode },
  });
  const byId = new Map(rows.map((row) => [row.id, quoteRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function findConversions(deps: Dependencies, principal: PlatformPrincipal, ids: readonly string[]): Promise<(ConversionRecord | null)[]> {
  const rows = await deps.db.prisma.cryptoConversion.findMany({
    where: { id: { in: [...ids] }, tenantId: principal.tenantId, livemode: principal.livemode },
  });
  const byId = new Map(rows.map((row) => [row.id, conversionRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function insertConversion(sql: SqlClient, scope: Scope, conversion: ConversionRecord): Promise<void> {
  await sql.query(
    `INSERT INTO crypto_conversion (id, tenant_id, livemode, account_id, quote_id, source_currency, destination_currency, source_amount, fee,
                                    destination_amount, rate_numerator, rate_denominator, source_balance_transaction_id,
                                    destination_balance_transaction_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10::numeric, $11::numeric, $12::numeric, $13, $14, $15)`,
    [
      conversion.id, scope.tenantId, scope.livemode, conversion.accountId, conversion.quoteId, conversion.sourceCurrency, conversion.destinationCurrency,
      conversion.sourceAmount.toString(), conversion.fee.toString(), conversion.destinationAmount.toString(), conversion.rate.num.toString(),
      conversion.rate.den.toString(), conversion.sourceBalanceTransactionId, conversion.destinationBalanceTransactionId, conversion.createdAt,
    ],
  );
  const marked = await sql.query(`UPDATE crypto_quote SET conversion_id = $1 WHERE id = $2 AND conversion_id IS NULL RETURNING 1 AS marked`, [
    conversion.id,
    conversion.quoteId,
  ]);
  if (marked.length !== 1) throw new Error(`quote ${conversion.quoteId} was executed twice`);
}
