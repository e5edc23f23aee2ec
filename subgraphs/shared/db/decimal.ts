// Prisma reads NUMERIC as a Decimal; the rest of the code speaks bigint. Convert only here.

interface DecimalLike {
  toFixed(): string;
}

export function toBigInt(value: DecimalLike): bigint {
  const text = value.toFixed();
  if (!/^-?\d+$/.test(text)) throw new Error(`non-integer amount in the database: ${text}`);
  return BigInt(text);
}
