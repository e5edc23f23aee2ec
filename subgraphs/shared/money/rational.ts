// Exact non-negative rationals over bigint, for exchange rates. No floats anywhere: a rate is a
// reduced fraction num/den, parsed from and printed as decimal text.

export interface Rational {
  /** >= 0 */
  readonly num: bigint;
  /** > 0; gcd(num, den) = 1 */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function rational(num: bigint, den: bigint): Rational {
  if (den <= 0n || num < 0n) throw new RangeError("a rate is a non-negative fraction with a positive denominator");
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

export const ONE: Rational = { num: 1n, den: 1n };

export function multiply(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function divide(a: Rational, b: Rational): Rational {
  if (b.num === 0n) throw new RangeError("division by a zero rate");
  return rational(a.num * b.den, a.den * b.num);
}

export function equals(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

/** Decimal text such as "50000.00" or "0.92"; undefined unless it is one. */
export const DECIMAL_PATTERN = /^(\d{1,15})(?:\.(\d{1,15}))?$/;

export function parseDecimal(text: string): Rational | undefined {
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? "";
  return rational(BigInt(match[1]! + fraction), 10n ** BigInt(fraction.length));
}

/** True when the decimal expansion ends (the reduced denominator has no prime factor but 2 and 5). */
export function terminates(value: Rational): boolean {
  let den = value.den;
  while (den % 2n === 0n) den /= 2n;
  while (den % 5n === 0n) den /= 5n;
  return den === 1n;
}

/**
 * Decimal text of a rate: exact when the expansion terminates; otherwise cut (rounded down)
 * after `significant` significant digits. "50000", "0.0004", "1.0869565217391304347".
 */
export function formatRational(value: Rational, significant = 20): string {
  const whole = value.num / value.den;
  let remainder = value.num % value.den;
  let digits = "";
  let counted = whole === 0n ? 0 : whole.toString().length;
  while (remainder !== 0n && counted < significant) {
    remainder *= 10n;
    const digit = remainder / value.den;
    remainder %= value.den;
    digits += digit.toString();
    if (counted > 0 || digit !== 0n) counted += 1;
  }
  return digits.length > 0 ? `${whole}.${digits}` : whole.toString();
}

/** floor(a / b) for a >= 0, b > 0. */
export function floorDiv(a: bigint, b: bigint): bigint {
  return a / b;
}

/** ceil(a / b) for a >= 0, b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
