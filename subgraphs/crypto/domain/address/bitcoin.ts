// Bitcoin addresses: segwit (bech32 for witness v0, BIP-173; bech32m for v1+, BIP-350) and legacy
// base58check (P2PKH, P2SH). Checksums and encodings come from @scure/base and @noble/hashes
// (audited); the segwit rules on top of them (version, program length, which checksum) are here.

import { sha256 } from "@noble/hashes/sha2.js";
import { bech32, bech32m, createBase58check } from "@scure/base";

const base58check = createBase58check(sha256);

export type BitcoinChain = "mainnet" | "testnet";

export interface BitcoinAddress {
  readonly chain: BitcoinChain;
  readonly type: "segwit" | "p2pkh" | "p2sh";
  /** Witness version (segwit only). */
  readonly witnessVersion?: number;
  /** The witness program, or the hash160 of a legacy address. */
  readonly payload: Uint8Array;
}

const SEGWIT_PREFIXES: Readonly<Record<string, BitcoinChain>> = { bc: "mainnet", tb: "testnet" };
const LEGACY_VERSIONS: Readonly<Record<number, { chain: BitcoinChain; type: "p2pkh" | "p2sh" }>> = {
  0x00: { chain: "mainnet", type: "p2pkh" },
  0x05: { chain: "mainnet", type: "p2sh" },
  0x6f: { chain: "testnet", type: "p2pkh" },
  0xc4: { chain: "testnet", type: "p2sh" },
};

/** A bitcoin address, or why it is not one. */
export function parseBitcoinAddress(address: string): BitcoinAddress | string {
  if (/^(bc|tb)1/i.test(address)) return parseSegwit(address);
  return parseLegacy(address);
}

function parseSegwit(address: string): BitcoinAddress | string {
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return "mixes upper and lower case";
  // Both decoders check their own checksum; which one must match depends on the version.
  const plain = bech32.decodeUnsafe(address, 90);
  const modified = bech32m.decodeUnsafe(address, 90);
  const decoded = plain ?? modified;
  if (!decoded) return "has an invalid bech32/bech32m checksum or characters";
  const chain = SEGWIT_PREFIXES[decoded.prefix];
  if (!chain) return `has an unknown prefix "${decoded.prefix}"`;
  const [version, ...data] = decoded.words;
  if (version === undefined) return "has no witness version";
  if (version > 16) return "has an invalid witness version";
  if (version === 0 && !plain) return "uses bech32m for witness version 0 (BIP-350 requires bech32)";
  if (version > 0 && !modified) return "uses bech32 for witness version 1+ (BIP-350 requires bech32m)";
  const program = bech32.fromWordsUnsafe(data);
  if (!program) return "has invalid padding";
  if (program.length < 2 || program.length > 40) return "has a witness program of invalid length";
  if (version === 0 && program.length !== 20 && program.length !== 32)
    return "has a version 0 witness program that is neither 20 nor 32 bytes";
  return { chain, type: "segwit", witnessVersion: version, payload: program };
}

function parseLegacy(address: string): BitcoinAddress | string {
  if (!/^[1-9A-HJ-NP-Za-km-z]{25,35}$/.test(address)) return "is neither bech32 nor base58";
  let bytes: Uint8Array;
  try {
    bytes = base58check.decode(address);
  } catch {
    return "has an invalid base58check checksum";
  }
  if (bytes.length !== 21) return "has a payload of invalid length";
  const kind = LEGACY_VERSIONS[bytes[0]!];
  if (!kind) return "has an unknown version byte";
  return { ...kind, payload: bytes.slice(1) };
}

/** A native segwit v0 key-hash address (P2WPKH) for a 20-byte program. */
export function encodeP2wpkh(program: Uint8Array, chain: BitcoinChain): string {
  if (program.length !== 20) throw new RangeError("P2WPKH programs are 20 bytes");
  return bech32.encode(chain === "mainnet" ? "bc" : "tb", [0, ...bech32.toWords(program)]);
}
