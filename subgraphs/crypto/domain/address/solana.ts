// Solana addresses: a 32-byte public key (or program-derived address) in base58. Any 32 bytes
// are a well-formed address; program-derived ones are deliberately off the curve, so no curve
// check applies.

import { base58 } from "@scure/base";

export interface SolanaAddress {
  readonly bytes: Uint8Array;
}

export function parseSolanaAddress(address: string): SolanaAddress | string {
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(address)) return "is not 32 to 44 base58 characters";
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(address);
  } catch {
    return "is not valid base58";
  }
  if (bytes.length !== 32) return "does not decode to a 32-byte key";
  return { bytes };
}

export function solanaAddressOf(bytes: Uint8Array): string {
  if (bytes.length !== 32) throw new RangeError("solana addresses are 32 bytes");
  return base58.encode(bytes);
}
