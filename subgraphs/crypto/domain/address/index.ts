// Addresses per network: validating where a withdrawal goes, and deriving deposit addresses.

import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import type { Network } from "../assets.ts";
import { refuse, type Refusal } from "../../../shared/refusal.ts";
import { encodeP2wpkh, parseBitcoinAddress } from "./bitcoin.ts";
import { ethereumAddressOf, parseEthereumAddress } from "./ethereum.ts";
import { parseSolanaAddress, solanaAddressOf } from "./solana.ts";

export interface ValidAddress {
  readonly network: Network;
  /** The address as given (EIP-55 form for ethereum, lower case for bech32). */
  readonly address: string;
  /** The bytes it designates: the witness program, key hash or key. */
  readonly payload: Uint8Array;
}

export const MAX_ADDRESS_LENGTH = 128;

/**
 * Checks an address for a network. Live mode accepts mainnet addresses only; test mode also
 * accepts bitcoin testnet ones (ethereum and solana addresses look the same on every chain).
 */
export function validateAddress(network: Network, address: string, livemode: boolean, argument = "input.address"): ValidAddress | Refusal {
  const invalid = (reason: string) => refuse("BAD_USER_INPUT", `Not a valid ${network} address: it ${reason}`, argument);
  if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) return invalid(`must be 1 to ${MAX_ADDRESS_LENGTH} characters`);
  switch (network) {
    case "bitcoin": {
      const parsed = parseBitcoinAddress(address);
      if (typeof parsed === "string") return invalid(parsed);
      if (livemode && parsed.chain !== "mainnet") return invalid("is a testnet address (live mode sends on mainnet)");
      return { network, address: parsed.type === "segwit" ? address.toLowerCase() : address, payload: parsed.payload };
    }
    case "ethereum": {
      const parsed = parseEthereumAddress(address);
      if (typeof parsed === "string") return invalid(parsed);
      return { network, address: parsed.checksummed, payload: parsed.bytes };
    }
    case "solana": {
      const parsed = parseSolanaAddress(address);
      if (typeof parsed === "string") return invalid(parsed);
      return { network, address, payload: parsed.bytes };
    }
  }
}

/**
 * A wallet's deposit address, derived from its id: sha256 of the id, shaped as an address of the
 * network (bitcoin P2WPKH on testnet in test mode, mainnet in live mode; an EIP-55 ethereum
 * address; a base58 solana key). No private key exists for it: it is deterministic, passes the
 * validators above, and is never a real key of anyone's.
 */
export function depositAddress(network: Network, livemode: boolean, walletId: string): string {
  const digest = sha256(utf8ToBytes(`moneygraph deposit address\u0000${network}\u0000${walletId}`));
  switch (network) {
    case "bitcoin":
      return encodeP2wpkh(digest.slice(0, 20), livemode ? "mainnet" : "testnet");
    case "ethereum":
      return ethereumAddressOf(digest.slice(0, 20));
    case "solana":
      return solanaAddressOf(digest);
  }
}
