// Domain errors as values: validation answers a Problem (which input, what is wrong), rules
// about state answer a Refusal. Services turn them into the API's typed errors.

import { isPrintableText } from "../../shared/text.ts";

export interface Problem {
  readonly field: string;
  readonly message: string;
}

export interface Refusal {
  readonly refusal: "INVALID_STATE" | "FORBIDDEN";
  readonly message: string;
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "field" in value && "message" in value && !("refusal" in value);
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === "object" && value !== null && "refusal" in value;
}

/** Length in characters (code points), as a person counts them. */
export function characters(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/** A required, trimmed, printable text of 1..max characters. */
export function requiredText(field: string, value: string, max: number): string | Problem {
  const trimmed = value.trim();
  if (trimmed.length === 0) return { field, message: `${field} must not be empty` };
  if (characters(trimmed) > max) return { field, message: `${field} must be at most ${max} characters` };
  if (!isPrintableText(trimmed)) return { field, message: `${field} must not contain control characters or malformed Unicode` };
  return trimmed;
}

/** Echo a little of a bad value in a message, never a long or multi-line one. */
export function quote(value: string, max = 12): string {
  const short = [...value].slice(0, max).join("").replace(/\p{Cc}/gu, "?");
  return `"${short}${characters(value) > max ? "…" : ""}"`;
}
