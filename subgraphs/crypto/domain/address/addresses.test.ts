// Address validation against the published vectors: BIP-173 and BIP-350 (segwit, bech32 and
// bech32m), the Bitcoin wiki's base58check examples, EIP-55's test cases, and solana keys.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRefusal } from "../../../shared/refusal.ts";
import { parseBitcoinAddress } from "./bitcoin.ts";
import { parseEthereumAddress, toChecksumAddress } from "./ethereum.ts";
import { depositAddress, validateAddress } from "./index.ts";
import { parseSolanaAddress } from "./solana.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("bitcoin segwit addresses (BIP-173, BIP-350)", () => {
  // BIP-350 "valid segwit addresses": address -> scriptPubKey (version opcode, push length, program).
  const valid: [string, string][] = [
    ["BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"],
    [
      "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
      "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ],
    [
      "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
      "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ],
    ["BC1SW50QGDZ25J", "6002751e"],
    ["bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"],
    [
      "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
      "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ],
    [
      "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
      "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ],
    [
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
      "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ],
  ];

  it.each(valid)("accepts %s", (address, scriptPubKey) => {
    const parsed = parseBitcoinAddress(address);
    if (typeof parsed === "string") throw new Error(`${address} ${parsed}`);
    const version = parsed.witnessVersion!;
    const opcode = version === 0 ? "00" : (0x50 + version).toString(16);
    expect(opcode + parsed.payload.length.toString(16).padStart(2, "0") + hex(parsed.payload)).toBe(scriptPubKey);
    expect(parsed.chain).toBe(address.toLowerCase().startsWith("bc") ? "mainnet" : "testnet");
  });

  // BIP-350 "invalid segwit addresses", with the reason the BIP gives.
  const invalid: [string, string][] = [
    ["tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "invalid human-readable part"],
    ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bech32 instead of bech32m"],
    ["tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "bech32 instead of bech32m"],
    ["BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "bech32 instead of bech32m"],
    ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "bech32m instead of bech32"],
    ["tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", "bech32m instead of bech32"],
    ["bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "invalid character in checksum"],
    ["BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "invalid witness version"],
    ["bc1pw5dgrnzv", "invalid program length (1 byte)"],
    ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "invalid program length (41 bytes)"],
    ["BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "invalid program length for witness version 0"],
    ["tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixed case"],
    ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "zero padding of more than 4 bits"],
    ["tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "non-zero padding in 8-to-5 conversion"],
    ["bc1gmk9yu", "empty data section"],
    // BIP-173 listed this v1 address with a bech32 checksum as valid; BIP-350 made it invalid.
    ["bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", "v1 with a bech32 checksum"],
  ];

  it.each(invalid)("refuses %s (%s)", (address) => {
    expect(typeof parseBitcoinAddress(address)).toBe("string");
  });

  it("detects any single substituted character of a valid address", () => {
    const address = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";
    const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    fc.assert(
      fc.property(fc.integer({ min: 4, max: address.length - 1 }), fc.integer({ min: 1, max: 31 }), (position, shift) => {
        const replaced = charset[(charset.indexOf(address[position]!) + shift) % 32]!;
        const changed = address.slice(0, position) + replaced + address.slice(position + 1);
        expect(typeof parseBitcoinAddress(changed)).toBe("string");
      }),
    );
  });
});

describe("bitcoin base58check addresses", () => {
  it.each([
    ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "mainnet", "p2pkh"],
    ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "mainnet", "p2pkh"],
    ["3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "mainnet", "p2sh"],
    ["mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "testnet", "p2pkh"],
  ])("accepts %s", (address, chain, type) => {
    expect(parseBitcoinAddress(address)).toMatchObject({ chain, type });
  });

  it.each([
    ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "a wrong checksum"],
    ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN", "a truncated address"],
    ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNV0", "a character outside base58"],
    ["", "nothing"],
  ])("refuses %s (%s)", (address) => {
    expect(typeof parseBitcoinAddress(address)).toBe("string");
  });
});

describe("ethereum addresses (EIP-55)", () => {
  // The EIP's own test cases: all caps, all lower, and checksummed mixed case.
  const vectors = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
  ];

  it.each(vectors)("accepts %s", (address) => {
    expect(typeof parseEthereumAddress(address)).not.toBe("string");
  });

  it.each(vectors.slice(4))("computes the checksum of %s", (address) => {
    expect(toChecksumAddress(address.slice(2).toLowerCase())).toBe(address);
  });

  it("refuses a mixed-case address whose checksum is wrong, in any letter", () => {
    const address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    const letters = [...address].flatMap((char, i) => (i >= 2 && /[a-fA-F]/.test(char) ? [i] : []));
    for (const i of letters) {
      const flipped = address[i] === address[i]!.toUpperCase() ? address[i]!.toLowerCase() : address[i]!.toUpperCase();
      const changed = address.slice(0, i) + flipped + address.slice(i + 1);
      // Flipping one letter back to the case of the whole rest cannot make it all one case here.
      expect(parseEthereumAddress(changed)).toMatch(/EIP-55/);
    }
  });

  it.each([
    ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "39 digits"],
    ["5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "no 0x"],
    ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "a non-hex digit"],
    ["0x0000000000000000000000000000000000000000", "the zero address"],
  ])("refuses %s (%s)", (address) => {
    expect(typeof parseEthereumAddress(address)).toBe("string");
  });
});

describe("solana addresses", () => {
  it.each([
    "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
    "11111111111111111111111111111111",
  ])("accepts %s", (address) => {
    expect(parseSolanaAddress(address)).toMatchObject({ bytes: expect.any(Uint8Array) });
  });

  it.each([
    ["1111111111111111111111111111111", "31 bytes"],
    ["EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1vv", "45 characters"],
    ["EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt10", "a 0, outside base58"],
    ["EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDtlv", "an l, outside base58"],
    ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "an ethereum address"],
  ])("refuses %s (%s)", (address) => {
    expect(typeof parseSolanaAddress(address)).toBe("string");
  });
});

describe("per network and mode", () => {
  it("accepts testnet bitcoin addresses in test mode only", () => {
    const testnet = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7";
    expect(isRefusal(validateAddress("bitcoin", testnet, false))).toBe(false);
    expect(validateAddress("bitcoin", testnet, true)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.address" });
  });

  it("refuses an address of another network", () => {
    expect(isRefusal(validateAddress("ethereum", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", false))).toBe(true);
    expect(isRefusal(validateAddress("solana", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", false))).toBe(true);
    expect(isRefusal(validateAddress("bitcoin", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", false))).toBe(true);
  });

  it("normalizes what it stores: EIP-55 form, lower-case bech32", () => {
    expect(validateAddress("ethereum", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", true)).toMatchObject({
      address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    });
    expect(validateAddress("bitcoin", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", true)).toMatchObject({
      address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    });
  });

  it("derives deposit addresses that pass the validators, deterministically, distinct per wallet", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^cw_[0-9A-Za-z]{24}$/),
        fc.constantFrom("bitcoin" as const, "ethereum" as const, "solana" as const),
        fc.boolean(),
        (id, network, livemode) => {
          const address = depositAddress(network, livemode, id);
          expect(validateAddress(network, address, livemode)).toMatchObject({ address });
          expect(depositAddress(network, livemode, id)).toBe(address);
          expect(depositAddress(network, livemode, `${id}x`)).not.toBe(address);
        },
      ),
    );
    expect(depositAddress("bitcoin", false, "cw_a")).toMatch(/^tb1q/);
    expect(depositAddress("bitcoin", true, "cw_a")).toMatch(/^bc1q/);
  });
});
