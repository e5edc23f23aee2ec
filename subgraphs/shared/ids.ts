// Opaque, prefixed, random identifiers (never sequential), with a brand per kind so that an id
// of one kind cannot be passed where another is expected.

import { randomFillSync } from "node:crypto";

export const ID_PREFIXES = {
  account: "acct",
  apiKey: "key",
  bankAccount: "ba",
  balanceTransaction: "txn",
  topup: "tu",
  transfer: "tr",
  payout: "po",
  hold: "hold",
  cryptoWallet: "cw",
  cryptoQuote: "cq",
  cryptoConversion: "cc",
  cryptoWithdrawal: "cwd",
  cryptoDeposit: "cdp",
  balanceEvent: "evt",
  ledgerAccount: "la",
  ledgerTransaction: "ltx",
  ledgerCheckpoint: "lcp",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
declare const idBrand: unique symbol;
export type Id<K extends IdKind> = string & { readonly [idBrand]: K };

export type AccountId = Id<"account">;
export type PayoutId = Id<"payout">;
export type HoldId = Id<"hold">;
export type BalanceTransactionId = Id<"balanceTransaction">;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 24; // 24 base62 characters: about 143 bits of randomness.

// Random bytes are drawn from the CSPRNG a pool at a time and each used once (as Node's own
// randomUUID does): a transfer makes several ids and tokens, and a call into the CSPRNG per token
// was about 3 % of the all-in-one process's CPU in `bench:ledger`'s gateway runs.
const pool = Buffer.allocUnsafe(4096);
let poolUsed = pool.length;

function randomByte(): number {
  if (poolUsed === pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  return pool[poolUsed++]!;
}

export function randomToken(length: number): string {
  // Rejection sampling keeps every character uniformly distributed.
  let out = "";
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

export function newId<K extends IdKind>(kind: K): Id<K> {
  return `${ID_PREFIXES[kind]}_${randomToken(BODY_LENGTH)}` as Id<K>;
}

/** Narrows an untrusted string to an id of the given kind (shape only, not existence). */
export function parseId<K extends IdKind>(kind: K, value: string): Id<K> | undefined {
  const prefix = `${ID_PREFIXES[kind]}_`;
  if (!value.startsWith(prefix)) return undefined;
  return /^[0-9A-Za-z]{1,64}$/.test(value.slice(prefix.length)) ? (value as Id<K>) : undefined;
}
