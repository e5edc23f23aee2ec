// The currencies the platform moves, with the exponent of their minor unit. Pure data: the
// single source of truth for "is this a currency" and "how many decimals does it have".

export type CurrencyKind = "fiat" | "crypto";

export interface CurrencyInfo {
  readonly code: string;
  readonly decimals: number;
  readonly kind: CurrencyKind;
}

const TABLE: readonly CurrencyInfo[] = [
  { code: "USD", decimals: 2, kind: "fiat" },
  { code: "EUR", decimals: 2, kind: "fiat" },
  { code: "GBP", decimals: 2, kind: "fiat" },
  { code: "CAD", decimals: 2, kind: "fiat" },
  { code: "AUD", decimals: 2, kind: "fiat" },
  { code: "CHF", decimals: 2, kind: "fiat" },
  { code: "JPY", decimals: 0, kind: "fiat" },
  { code: "BTC", decimals: 8, kind: "crypto" },
  { code: "ETH", decimals: 18, kind: "crypto" },
  { code: "USDC", decimals: 6, kind: "crypto" },
];

const BY_CODE = new Map(TABLE.map((c) => [c.code, c]));

declare const currencyBrand: unique symbol;
/** An upper-case code known to the table above; obtain one with `parseCurrency`. */
export type Currency = string & { readonly [currencyBrand]: true };

export function isCurrency(code: string): code is Currency {
  return BY_CODE.has(code);
}

export function parseCurrency(code: string): Currency | undefined {
  return isCurrency(code) ? code : undefined;
}

export function currencyInfo(currency: Currency): CurrencyInfo {
  const info = BY_CODE.get(currency);
  if (!info) throw new Error(`unknown currency ${currency}`);
  return info;
}

export function supportedCurrencies(): readonly CurrencyInfo[] {
  return TABLE;
}
