// Encryption at rest for small secrets (bank account numbers): AES-256-GCM with a ring of keys
// from configuration. The first key encrypts; every key decrypts, so keys rotate without
// downtime: prepend a new key, re-encrypt the rows still on older ones, then drop them.
// Each ciphertext is bound to an "associated data" string (the row's id), so a ciphertext copied
// into another row does not decrypt. Fingerprints are keyed HMACs: equal inputs give equal
// fingerprints, and without the key they reveal nothing (not even to a brute force over the
// small space of account numbers).

import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { EncryptionConfig, EncryptionKey } from "../config.ts";

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  /** Which key of the ring sealed it. */
  readonly keyId: string;
  /** base64url(iv | ciphertext | tag). */
  readonly ciphertext: string;
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptionError";
  }
}

export class Keyring {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(
    keys: readonly EncryptionKey[],
    private readonly fingerprintKey: Buffer,
  ) {
    const [first] = keys;
    if (!first) throw new Error("a keyring needs at least one key");
    for (const { key } of keys) if (key.length !== 32) throw new Error("AES-256 keys are 32 bytes");
    this.current = first;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, associatedData: string): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.current.key, iv);
    cipher.setAAD(Buffer.from(associatedData, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return { keyId: this.current.id, ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url") };
  }

  decrypt(sealed: Sealed, associatedData: string): string {
    const key = this.byId.get(sealed.keyId);
    if (!key) throw new DecryptionError(`encryption key '${sealed.keyId}' is not configured (ENCRYPTION_KEYS)`);
    const raw = Buffer.from(sealed.ciphertext, "base64url");
    if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptionError("ciphertext too short");
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw new DecryptionError("ciphertext does not authenticate (wrong key, wrong row, or tampered)");
    }
  }

  /** Hex HMAC-SHA256 of the parts, unambiguously joined, under a purpose label. */
  fingerprint(purpose: string, parts: readonly string[]): string {
    const mac = createHmac("sha256", this.fingerprintKey).update(purpose);
    for (const part of parts) mac.update("\u0000").update(part, "utf8");
    return mac.digest("hex");
  }
}

/** A keyring for a configuration. A process keeps one, in its dependencies (`deps.keyring`). */
export function createKeyring(config: EncryptionConfig): Keyring {
  return new Keyring(config.keys, config.fingerprintKey);
}
