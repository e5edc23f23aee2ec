// Secret API keys: shown once, stored as a sha256 hash plus a redacted form for display.
// The secrets carry ~190 bits of randomness, so a fast hash is the right tool (as for tokens),
// unlike passwords.

import { createHash } from "node:crypto";
import { randomToken } from "../ids.ts";

export interface NewSecretKey {
  readonly secret: string;
  readonly secretHash: string;
  readonly redacted: string;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function generateSecretKey(livemode: boolean): NewSecretKey {
  const secret = `sk_${livemode ? "live" : "test"}_${randomToken(32)}`;
  return { secret, secretHash: hashSecret(secret), redacted: `${secret.slice(0, 8)}…${secret.slice(-4)}` };
}

/** Cheap shape check before any lookup; also tells test from live mode. */
export function looksLikeSecretKey(value: string): boolean {
  return /^sk_(test|live)_[0-9A-Za-z]{16,64}$/.test(value);
}
