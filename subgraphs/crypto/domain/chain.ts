// The simulated blockchain behind test mode (and, until a real custody provider exists, live
// mode too): deterministic transaction hashes, and fixed addresses whose withdrawals fail, so
// clients can exercise every outcome (README, "Crypto").

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { base58 } from "@scure/base";
import type { Network } from "./assets.ts";

export type ChainOutcome =
  { readonly confirmed: true } | { readonly confirmed: false; readonly failureCode: string; readonly failureMessage: string };

/**
 * Withdrawals to these payloads fail after broadcast: all zero bytes, or zero bytes ending in
 * 0xdead. In address form: bitcoin bc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq9e75rs (testnet
 * tb1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq0l98cr), the P2WPKH of 20 zero bytes; ethereum
 * 0x000000000000000000000000000000000000dEaD; solana 11111111111111111111111111111111.
 */
export function failsOnChain(payload: Uint8Array): boolean {
  const dead = payload.length >= 2 && payload[payload.length - 2] === 0xde && payload[payload.length - 1] === 0xad;
  const zeros = dead ? payload.subarray(0, payload.length - 2) : payload;
  return zeros.every((byte) => byte === 0);
}

export function chainOutcome(payload: Uint8Array): ChainOutcome {
  return failsOnChain(payload)
    ? {
        confirmed: false,
        failureCode: "rejected_by_network",
        failureMessage: "The network rejected the transaction (simulated failure address)",
      }
    : { confirmed: true };
}

/** The simulated transaction id, in the network's usual form. */
export function simulatedTransactionHash(network: Network, objectId: string): string {
  const digest = sha256(utf8ToBytes(`moneygraph simulated transaction\u0000${network}\u0000${objectId}`));
  switch (network) {
    case "bitcoin":
      return bytesToHex(digest);
    case "ethereum":
      return `0x${bytesToHex(digest)}`;
    case "solana": // signatures are 64 bytes
      return base58.encode(new Uint8Array([...digest, ...sha256(digest)]));
  }
}
