// A request's fingerprint: sha256 of the operation name and its parameters in canonical JSON
// (object keys sorted, bigints as decimal strings), so the same request always hashes the same.

import { createHash } from "node:crypto";

export function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function fingerprint(operation: string, params: unknown): string {
  return createHash("sha256").update(operation).update("\u0000").update(canonicalJson(params)).digest("hex");
}
