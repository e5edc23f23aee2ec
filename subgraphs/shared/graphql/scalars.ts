// The API's custom scalars. Parsing is strict: a malformed value never reaches a use case.

import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { parseMinorUnits } from "../money/money.ts";
import { parseCurrency, supportedCurrencies, type Currency } from "../money/currency.ts";

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function parseMinorUnitsValue(value: unknown): bigint {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) text = String(value);
  else throw invalid('MinorUnits must be a string of digits, e.g. "1050" for 10.50 USD');
  const parsed = parseMinorUnits(text);
  if (parsed === "NOT_AN_INTEGER") {
    throw invalid(`MinorUnits must be an integer number of minor units written as digits, got "${text.slice(0, 50)}"`);
  }
  if (parsed === "TOO_LARGE") throw invalid("MinorUnits is out of range (at most 38 digits)");
  return parsed;
}

export const MinorUnitsScalar = new GraphQLScalarType({
  name: "MinorUnits",
  description:
    'An exact integer amount in the currency\'s smallest unit (cents, satoshis, wei), serialized as a string of digits: "1050" is 10.50 USD.',
  serialize(value) {
    if (typeof value === "bigint") return value.toString();
    throw new Error("MinorUnits must be produced from a bigint");
  },
  parseValue: parseMinorUnitsValue,
  parseLiteral(ast: ValueNode) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return parseMinorUnitsValue(ast.kind === Kind.INT ? ast.value : ast.value);
    throw invalid("MinorUnits must be a string of digits");
  },
});

function parseCurrencyValue(value: unknown): Currency {
  if (typeof value !== "string") throw invalid('Currency must be a string such as "USD"');
  const currency = parseCurrency(value);
  if (!currency) {
    const known = supportedCurrencies()
      .map((c) => c.code)
      .join(", ");
    throw invalid(`Unsupported currency "${value.slice(0, 12)}"; supported: ${known}`);
  }
  return currency;
}

export const CurrencyScalar = new GraphQLScalarType({
  name: "Currency",
  description: 'An upper-case ISO 4217 code ("USD", "EUR", "JPY") or a supported crypto asset ("BTC", "ETH", "USDC").',
  serialize(value) {
    return String(value);
  },
  parseValue: parseCurrencyValue,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid('Currency must be a string such as "USD"');
    return parseCurrencyValue(ast.value);
  },
});

export const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  description: "An ISO 8601 timestamp in UTC, e.g. 2026-01-31T12:00:00.000Z.",
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    throw new Error("DateTime must be produced from a Date");
  },
  parseValue(value) {
    if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw invalid("DateTime must be an ISO 8601 string");
    return new Date(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || Number.isNaN(Date.parse(ast.value))) throw invalid("DateTime must be an ISO 8601 string");
    return new Date(ast.value);
  },
});

export { GraphQLJSON as JSONScalar } from "graphql-scalars";
