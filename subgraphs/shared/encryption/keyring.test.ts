import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DecryptionError, Keyring } from "./keyring.ts";

const k1 = { id: "k1", key: randomBytes(32) };
const k2 = { id: "k2", key: randomBytes(32) };
const fingerprintKey = randomBytes(32);

describe("keyring", () => {
  it("round-trips, with a fresh IV each time, and never contains the plaintext", () => {
    const ring = new Keyring([k1], fingerprintKey);
    const a = ring.encrypt("000123456789", "ba_1");
    const b = ring.encrypt("000123456789", "ba_1");
    expect(a.keyId).toBe("k1");
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(Buffer.from(a.ciphertext, "base64url").toString("latin1")).not.toContain("000123456789");
    expect(ring.decrypt(a, "ba_1")).toBe("000123456789");
  });

  it("binds a ciphertext to its associated data (the row)", () => {
    const ring = new Keyring([k1], fingerprintKey);
    const sealed = ring.encrypt("000123456789", "ba_1");
    expect(() => ring.decrypt(sealed, "ba_2")).toThrowError(DecryptionError);
  });

  it("detects tampering", () => {
    const ring = new Keyring([k1], fingerprintKey);
    const sealed = ring.encrypt("000123456789", "ba_1");
    const raw = Buffer.from(sealed.ciphertext, "base64url");
    raw[14] = raw[14]! ^ 1;
    expect(() => ring.decrypt({ ...sealed, ciphertext: raw.toString("base64url") }, "ba_1")).toThrowError(DecryptionError);
  });

  it("rotates: a new first key encrypts, older keys still decrypt, removed keys do not", () => {
    const old = new Keyring([k1], fingerprintKey).encrypt("DE89370400440532013000", "ba_1");
    const rotated = new Keyring([k2, k1], fingerprintKey);
    expect(rotated.currentKeyId).toBe("k2");
    expect(rotated.decrypt(old, "ba_1")).toBe("DE89370400440532013000");
    expect(rotated.encrypt("x", "ba_1").keyId).toBe("k2");
    expect(() => new Keyring([k2], fingerprintKey).decrypt(old, "ba_1")).toThrowError(/'k1' is not configured/);
  });

  it("fingerprints are keyed, stable across encryption keys, and unambiguous", () => {
    const ring = new Keyring([k1], fingerprintKey);
    const same = new Keyring([k2], fingerprintKey);
    const otherKey = new Keyring([k1], randomBytes(32));
    const print = ring.fingerprint("bank", ["US", "110000000", "000123456789"]);
    expect(print).toMatch(/^[0-9a-f]{64}$/);
    expect(same.fingerprint("bank", ["US", "110000000", "000123456789"])).toBe(print);
    expect(otherKey.fingerprint("bank", ["US", "110000000", "000123456789"])).not.toBe(print);
    expect(ring.fingerprint("bank", ["US1", "10000000", "000123456789"])).not.toBe(print);
    expect(ring.fingerprint("other", ["US", "110000000", "000123456789"])).not.toBe(print);
  });
});
