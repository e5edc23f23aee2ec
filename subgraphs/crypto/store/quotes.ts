// The crypto_quote and crypto_conversion tables: a priced conversion, and its one execution
// (amounts in minor units, rates exact as numerator and denominator). Part of the crypto store
// (see rows.ts).

import type { SqlClient } from "../../shared/db/database.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { rational, type Rational } from "../../shared/money/rational.ts";
import { currencyOf, type TenantScope } from "./rows.ts";
import type { AccountId, BalanceTransactionId } from "../../shared/ids.ts";
import { inOrderOf } from "../../shared/db/in-order.ts";
import { createdSql, type CreatedBounds } from "../../shared/created-range.ts";
import { pageSql, type PageRequest } from "../../shared/pagination.ts";

export interface QuoteRecord {
  readonly id: string;
  readonly accountId: AccountId;
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
  readonly accountId: AccountId;
  readonly quoteId: string;
  readonly sourceCurrency: Currency;
  readonly destinationCurrency: Currency;
  readonly sourceAmount: bigint;
  readonly fee: bigint;
  readonly destinationAmount: bigint;
  readonly rate: Rational;
  readonly sourceBalanceTransactionId: BalanceTransactionId;
  readonly destinationBalanceTransactionId: BalanceTransactionId;
  readonly createdAt: Date;
}

interface QuoteRow {
  id: string;
  account_id: AccountId;
  source_currency: string;
  destination_currency: string;
  source_amount: string;
  fee: string;
  destination_amount: string;
  rate_numerator: string;
  rate_denominator: string;
  expires_at: Date;
  conversion_id: string | null;
  created_at: Date;
}

interface ConversionRow {
  id: string;
  account_id: AccountId;
  quote_id: string;
  source_currency: string;
  destination_currency: string;
  source_amount: string;
  fee: string;
  destination_amount: string;
  rate_numerator: string;
  rate_denominator: string;
  source_balance_transaction_id: BalanceTransactionId;
  destination_balance_transaction_id: BalanceTransactionId;
  created_at: Date;
}

const QUOTE_COLUMNS = `id, account_id, source_currency, destination_currency, source_amount::text AS source_amount, fee::text AS fee,
  destination_amount::text AS destination_amount, rate_numerator::text AS rate_numerator, rate_denominator::text AS rate_denominator,
  expires_at, conversion_id, created_at`;

const CONVERSION_COLUMNS = `id, account_id, quote_id, source_currency, destination_currency, source_amount::text AS source_amount,
  fee::text AS fee, destination_amount::text AS destination_amount, rate_numerator::text AS rate_numerator,
  rate_denominator::text AS rate_denominator, source_balance_transaction_id, destination_balance_transaction_id, created_at`;

function quoteRecord(row: QuoteRow): QuoteRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    sourceCurrency: currencyOf(row.id, row.source_currency),
    destinationCurrency: currencyOf(row.id, row.destination_currency),
    sourceAmount: BigInt(row.source_amount),
    fee: BigInt(row.fee),
    destinationAmount: BigInt(row.destination_amount),
    rate: rational(BigInt(row.rate_numerator), BigInt(row.rate_denominator)),
    expiresAt: new Date(row.expires_at),
    conversionId: row.conversion_id,
    createdAt: new Date(row.created_at),
  };
}

function conversionRecord(row: ConversionRow): ConversionRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    quoteId: row.quote_id,
    sourceCurrency: currencyOf(row.id, row.source_currency),
    destinationCurrency: currencyOf(row.id, row.destination_currency),
    sourceAmount: BigInt(row.source_amount),
    fee: BigInt(row.fee),
    destinationAmount: BigInt(row.destination_amount),
    rate: rational(BigInt(row.rate_numerator), BigInt(row.rate_denominator)),
    sourceBalanceTransactionId: row.source_balance_transaction_id,
    destinationBalanceTransactionId: row.destination_balance_transaction_id,
    createdAt: new Date(row.created_at),
  };
}

export async function insertQuote(sql: SqlClient, scope: TenantScope, quote: QuoteRecord): Promise<void> {
  await sql.query(
    `INSERT INTO crypto_quote (id, tenant_id, livemode, account_id, source_currency, destination_currency, source_amount, fee,
                               destination_amount, rate_numerator, rate_denominator, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, $9::numeric, $10::numeric, $11::numeric, $12, $13)`,
    [
      quote.id,
      scope.tenantId,
      scope.livemode,
      quote.accountId,
      quote.sourceCurrency,
      quote.destinationCurrency,
      quote.sourceAmount.toString(),
      quote.fee.toString(),
      quote.destinationAmount.toString(),
      quote.rate.num.toString(),
      quote.rate.den.toString(),
      quote.expiresAt,
      quote.createdAt,
    ],
  );
}

/** The quote, locked for its execution; null outside the caller's tenant and mode. */
export async function lockQuote(sql: SqlClient, scope: TenantScope, id: string): Promise<QuoteRecord | null> {
  const [row] = await sql.query<QuoteRow>(
    `SELECT ${QUOTE_COLUMNS} FROM crypto_quote WHERE id = $1 AND tenant_id = $2 AND livemode = $3 FOR UPDATE`,
    [id, scope.tenantId, scope.livemode],
  );
  return row ? quoteRecord(row) : null;
}

/** Quotes by id, in the order asked (null where missing or another tenant's). */
export async function findQuotes(sql: SqlClient, scope: TenantScope, ids: readonly string[]): Promise<(QuoteRecord | null)[]> {
  const rows = await sql.query<QuoteRow>(
    `SELECT ${QUOTE_COLUMNS} FROM crypto_quote WHERE id = ANY($1::varchar[]) AND tenant_id = $2 AND livemode = $3`,
    [[...ids], scope.tenantId, scope.livemode],
  );
  return inOrderOf(ids, rows, quoteRecord);
}

/** Conversions by id, in the order asked (null where missing or another tenant's). */
export async function findConversions(sql: SqlClient, scope: TenantScope, ids: readonly string[]): Promise<(ConversionRecord | null)[]> {
  const rows = await sql.query<ConversionRow>(
    `SELECT ${CONVERSION_COLUMNS} FROM crypto_conversion WHERE id = ANY($1::varchar[]) AND tenant_id = $2 AND livemode = $3`,
    [[...ids], scope.tenantId, scope.livemode],
  );
  return inOrderOf(ids, rows, conversionRecord);
}

/** Writes the conversion and marks its quote executed; a quote executed twice is a bug (the caller holds its lock). */
export async function insertConversion(sql: SqlClient, scope: TenantScope, conversion: ConversionRecord): Promise<void> {
  await sql.query(
    `INSERT INTO crypto_conversion (id, tenant_id, livemode, account_id, quote_id, source_currency, destination_currency, source_amount, fee,
                                    destination_amount, rate_numerator, rate_denominator, source_balance_transaction_id,
                                    destination_balance_transaction_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10::numeric, $11::numeric, $12::numeric, $13, $14, $15)`,
    [
      conversion.id,
      scope.tenantId,
      scope.livemode,
      conversion.accountId,
      conversion.quoteId,
      conversion.sourceCurrency,
      conversion.destinationCurrency,
      conversion.sourceAmount.toString(),
      conversion.fee.toString(),
      conversion.destinationAmount.toString(),
      conversion.rate.num.toString(),
      conversion.rate.den.toString(),
      conversion.sourceBalanceTransactionId,
      conversion.destinationBalanceTransactionId,
      conversion.createdAt,
    ],
  );
  const marked = await sql.query(
    `UPDATE crypto_quote SET conversion_id = $1 WHERE id = $2 AND conversion_id IS NULL RETURNING 1 AS marked`,
    [conversion.id, conversion.quoteId],
  );
  if (marked.length !== 1) throw new Error(`quote ${conversion.quoteId} was executed twice`);
}

/**
 * A page of an account's quotes (newest first; pageSql), created in a range, optionally of one
 * status: EXECUTED has a conversion; OPEN and EXPIRED have none and expire after, or at or
 * before, `now` (the clock quoteStatus reads).
 */
export async function listQuotes(
  sql: SqlClient,
  scope: TenantScope,
  accountId: string,
  page: PageRequest,
  filter: {
    readonly status?: "OPEN" | "EXECUTED" | "EXPIRED" | undefined;
    readonly created?: CreatedBounds | undefined;
    readonly now: Date;
  },
): Promise<QuoteRecord[]> {
  const range = createdSql(filter.created, 6, "q");
  const window = pageSql(page, 10, "q");
  const rows = await sql.query<QuoteRow>(
    `SELECT ${QUOTE_COLUMNS} FROM crypto_quote q
      WHERE q.tenant_id = $1 AND q.livemode = $2 AND q.account_id = $3
        AND CASE $4::text WHEN 'EXECUTED' THEN q.conversion_id IS NOT NULL
                          WHEN 'OPEN' THEN q.conversion_id IS NULL AND q.expires_at > $5::timestamptz
                          WHEN 'EXPIRED' THEN q.conversion_id IS NULL AND q.expires_at <= $5::timestamptz
                          ELSE true END
        AND ${range.where} AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [scope.tenantId, scope.livemode, accountId, filter.status ?? null, filter.now, ...range.params, ...window.params],
  );
  return rows.map(quoteRecord);
}

/** A page of an account's conversions (newest first; pageSql), created in a range if given. */
export async function listConversions(
  sql: SqlClient,
  scope: TenantScope,
  accountId: string,
  page: PageRequest,
  created: CreatedBounds | undefined,
): Promise<ConversionRecord[]> {
  const range = createdSql(created, 4, "c");
  const window = pageSql(page, 8, "c");
  const rows = await sql.query<ConversionRow>(
    `SELECT ${CONVERSION_COLUMNS} FROM crypto_conversion c
      WHERE c.tenant_id = $1 AND c.livemode = $2 AND c.account_id = $3 AND ${range.where} AND ${window.where}
      ORDER BY ${window.orderBy}
      LIMIT ${window.limit}`,
    [scope.tenantId, scope.livemode, accountId, ...range.params, ...window.params],
  );
  return rows.map(conversionRecord);
}
