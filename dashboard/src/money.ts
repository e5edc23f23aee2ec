// Amounts as people type them ("12.50") to the API's minor units ("1250"), exactly: strings and
// BigInt, never a float.

/** Minor-unit digits per currency the dashboard shows (the API's own table for fiat). */
const DECIMALS: Record<string, number> = { USD: 2, EUR: 2, GBP: 2, JPY: 0, BTC: 8, ETH: 18, USDC: 6 };

export function decimalsOf(currency: string): number {
  return DECIMALS[currency] ?? 2;
}

/** "12.5" in USD -> "1250"; null when it is not a positive amount with at most the currency's decimals. */
export function toMinorUnits(text: string, currency: string): string | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const decimals = decimalsOf(currency);
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) return null;
  const minor = BigInt(match[1]!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  return minor > 0n ? minor.toString() : null;
}

/** "1250" in USD -> "12.50". */
export function formatMinor(amount: string, currency: string): string {
  const decimals = decimalsOf(currency);
  const negative = amount.startsWith("-");
  const digits = (negative ? amount.slice(1) : amount).padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? `.${digits.slice(-decimals)}` : "";
  return `${negative ? "-" : ""}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction}`;
}
