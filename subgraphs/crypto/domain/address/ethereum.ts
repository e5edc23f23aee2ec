// Ethereum addresses: 20 bytes in hex. All-lower or all-upper case carries no checksum; mixed
// case must be the EIP-55 checksum (a letter is upper case when the matching nibble of
// keccak-256 of the lower-case hex is 8 or more).

import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export interface EthereumAddress {
  readonly bytes: Uint8Array;
  /** Its EIP-55 form. */
  readonly checksummed: string;
}

export function toChecksumAddress(lowerHex: string): string {
  const hash = bytesToHex(keccak_256(utf8ToBytes(lowerHex)));
  let out = "0x";
  for (let i = 0; i < lowerHex.length; i += 1) {
    const char = lowerHex[i]!;
    out += parseInt(hash[i]!, 16) >= 8 ? char.toUpperCase() : char;
  }
  return out;
}

export function parseEthereumAddress(address: string): EthereumAddress | string {
  const match = /^0x([0-9a-fA-F]{40})$/.exec(address);
  if (!match) return "is not 0x followed by 40 hexadecimal digits";
  const hex = match[1]!;
  const lower = hex.toLowerCase();
  const checksummed = toChecksumAddress(lower);
  const mixed = hex !== lower && hex !== hex.toUpperCase();
  if (mixed && `0x${hex}` !== checksummed) return "has an invalid EIP-55 checksum (mixed case)";
  const bytes = Uint8Array.from(lower.match(/../g)!.map((pair) => parseInt(pair, 16)));
  if (bytes.every((byte) => byte === 0)) return "is the zero address (funds sent there are burned)";
  return { bytes, checksummed };
}

export function ethereumAddressOf(bytes: Uint8Array): string {
  if (bytes.length !== 20) throw new RangeError("ethereum addresses are 20 bytes");
  return toChecksumAddress(bytesToHex(bytes));
}
