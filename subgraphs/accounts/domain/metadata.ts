// Metadata: a platform's own key-value notes on an object (its user id, a plan name…).
// A string map: at most 50 keys, keys of 1..40 characters, values of at most 500 characters.
// As with Stripe, an empty value means "no such key": in an update it removes the key (null
// does too), and on creation it is simply not stored.

import { isPrintableText, isStorableText } from "../../shared/text.ts";
import { refuse, type InputRefusal } from "../../shared/refusal.ts";
import { characters } from "./problems.ts";

export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_VALUE_LENGTH = 500;

export type Metadata = Readonly<Record<string, string>>;

/** A result rather than `Metadata | InputRefusal`: metadata may itself have keys named "field" and "message". */
export type MetadataResult = { readonly ok: true; readonly metadata: Metadata } | { readonly ok: false; readonly problem: InputRefusal };

const FIELD = "metadata";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  // GraphQL literals build objects without a prototype; JSON variables with Object's.
  return prototype === Object.prototype || prototype === null;
}

function checkKey(key: string): InputRefusal | undefined {
  if (key.length === 0) return refuse("BAD_USER_INPUT", "metadata keys must not be empty", FIELD);
  if (characters(key) > METADATA_MAX_KEY_LENGTH) {
    return refuse("BAD_USER_INPUT", `metadata keys must be at most ${METADATA_MAX_KEY_LENGTH} characters`, FIELD);
  }
  if (!isPrintableText(key))
    return refuse("BAD_USER_INPUT", "metadata keys must not contain control characters or malformed Unicode", FIELD);
  return undefined;
}

/**
 * Changes to apply: a value to set, or null to remove. Accepts what a client sent as JSON.
 * `allowRemovals` is false on creation, where null is refused (there is nothing to remove).
 */
export function parseMetadataChanges(value: unknown, allowRemovals: boolean): Map<string, string | null> | InputRefusal {
  if (!isPlainObject(value)) return refuse("BAD_USER_INPUT", "metadata must be an object of string values", FIELD);
  const entries = Object.entries(value);
  if (entries.length > METADATA_MAX_KEYS) return refuse("BAD_USER_INPUT", `metadata may have at most ${METADATA_MAX_KEYS} keys`, FIELD);
  const changes = new Map<string, string | null>();
  for (const [key, raw] of entries) {
    const keyProblem = checkKey(key);
    if (keyProblem) return keyProblem;
    if (raw === null && allowRemovals) {
      changes.set(key, null);
      continue;
    }
    if (typeof raw !== "string") return refuse("BAD_USER_INPUT", `metadata values must be strings (key "${key}")`, FIELD);
    if (!isStorableText(raw)) {
      return refuse("BAD_USER_INPUT", `metadata values must not contain NUL (U+0000) or unpaired surrogates (key "${key}")`, FIELD);
    }
    if (characters(raw) > METADATA_MAX_VALUE_LENGTH) {
      return refuse("BAD_USER_INPUT", `metadata values must be at most ${METADATA_MAX_VALUE_LENGTH} characters (key "${key}")`, FIELD);
    }
    changes.set(key, raw === "" ? null : raw);
  }
  return changes;
}

/** Metadata of a new object. */
export function parseMetadata(value: unknown): MetadataResult {
  if (value === undefined || value === null) return { ok: true, metadata: {} };
  const changes = parseMetadataChanges(value, false);
  if (!(changes instanceof Map)) return { ok: false, problem: changes };
  return { ok: true, metadata: applyMetadataChanges({}, changes) };
}

function applyMetadataChanges(current: Metadata, changes: ReadonlyMap<string, string | null>): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const [key, value] of changes) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Merges changes into an object's metadata; the result must still fit the limits. */
export function mergeMetadata(current: Metadata, changes: ReadonlyMap<string, string | null>): MetadataResult {
  const next = applyMetadataChanges(current, changes);
  if (Object.keys(next).length > METADATA_MAX_KEYS) {
    const message = `metadata may have at most ${METADATA_MAX_KEYS} keys (after merging with the existing ones)`;
    return { ok: false, problem: refuse("BAD_USER_INPUT", message, FIELD) };
  }
  return { ok: true, metadata: next };
}

/** Reads stored metadata defensively (a JSON column). */
export function storedMetadata(value: unknown): Metadata {
  if (!isPlainObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}
