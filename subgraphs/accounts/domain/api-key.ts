// Secret API keys of a platform: who may see and manage which, and their lifecycle.
//
// - A key is ACTIVE until it is revoked (at once) or rolled: rolling issues a new key and lets
//   the old one work for a grace period (EXPIRING), after which it is EXPIRED.
// - Modes: a test-mode key reaches only test-mode keys (it can neither see nor create live
//   keys: test keys tend to live in less guarded places); a live-mode key reaches both.
// - A platform keeps at least one working key per mode: the last one can be rolled, not revoked.

import { isPrintableText } from "../../shared/text.ts";
import { refuse, type InputRefusal } from "../../shared/refusal.ts";
import { characters, type StateRefusal } from "./problems.ts";

export type ApiKeyStatus = "ACTIVE" | "EXPIRING" | "EXPIRED" | "REVOKED";

export const MAX_GRACE_HOURS = 7 * 24;
export const DEFAULT_GRACE_HOURS = 24;
export const MAX_KEY_NAME = 100;

export interface ApiKeyState {
  readonly livemode: boolean;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export function keyStatus(key: ApiKeyState, now: Date): ApiKeyStatus {
  if (key.revokedAt) return "REVOKED";
  if (key.expiresAt) return key.expiresAt <= now ? "EXPIRED" : "EXPIRING";
  return "ACTIVE";
}

/** Still authenticates. */
export function isUsable(key: ApiKeyState, now: Date): boolean {
  const status = keyStatus(key, now);
  return status === "ACTIVE" || status === "EXPIRING";
}

/** Which keys' modes a caller reaches: its own, and a live key also test keys. */
export function reachableModes(callerLivemode: boolean): readonly boolean[] {
  return callerLivemode ? [false, true] : [false];
}

export function refuseCreation(callerLivemode: boolean, livemode: boolean): StateRefusal | undefined {
  if (livemode && !callerLivemode) return refuse("FORBIDDEN", "A test-mode key cannot create live-mode keys");
  return undefined;
}

export function validateKeyName(name: string | null | undefined): string | null | InputRefusal {
  if (name === null || name === undefined || name.trim() === "") return null;
  const trimmed = name.trim();
  if (characters(trimmed) > MAX_KEY_NAME) return refuse("BAD_USER_INPUT", `name must be at most ${MAX_KEY_NAME} characters`, "name");
  if (!isPrintableText(trimmed)) return refuse("BAD_USER_INPUT", "name must not contain control characters or malformed Unicode", "name");
  return trimmed;
}

export function validateGraceHours(hours: number | null | undefined): number | InputRefusal {
  const value = hours ?? DEFAULT_GRACE_HOURS;
  if (!Number.isInteger(value) || value < 0 || value > MAX_GRACE_HOURS) {
    return refuse("BAD_USER_INPUT", `gracePeriodHours must be a whole number from 0 to ${MAX_GRACE_HOURS}`, "gracePeriodHours");
  }
  return value;
}

export function refuseRoll(key: ApiKeyState, now: Date): StateRefusal | undefined {
  const status = keyStatus(key, now);
  if (status === "ACTIVE") return undefined;
  const messages: Record<Exclude<ApiKeyStatus, "ACTIVE">, string> = {
    EXPIRING: "This key was already rolled; roll its replacement instead, or revoke it to end its grace period now",
    EXPIRED: "This key has expired",
    REVOKED: "This key is revoked",
  };
  return refuse("INVALID_STATE", messages[status]);
}

/** `otherUsableInMode`: the platform's other keys of the same mode that still work. */
export function refuseRevocation(key: ApiKeyState, otherUsableInMode: number, now: Date): StateRefusal | undefined {
  if (!isUsable(key, now)) return undefined; // already stopped working: revoking again is harmless
  if (otherUsableInMode === 0) {
    return refuse(
      "INVALID_STATE",
      "This is the platform's last working key in this mode: roll it (gracePeriodHours: 0 ends it at once) or create another key first",
    );
  }
  return undefined;
}
