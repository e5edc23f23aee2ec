// Text rules shared by the accounts domain. Domain errors are refusals (shared/refusal.ts):
// validation refuses BAD_USER_INPUT naming the field ("legalName"), which services place under
// the argument ("input.legalName"); rules about an account's state refuse with a StateRefusal.

import { refuse, type InputRefusal, type Refusal } from "../../shared/refusal.ts";
import { isPrintableText } from "../../shared/text.ts";

/** What the accounts' rules about state refuse with. */
export type StateRefusal = Refusal<"INVALID_STATE" | "FORBIDDEN">;

/** Length in characters (code points), as a person counts them. */
export function characters(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/** A required, trimmed, printable text of 1..max characters. */
export function requiredText(field: string, value: string, max: number): string | InputRefusal {
  const trimmed = value.trim();
  if (trimmed.length === 0) return refuse("BAD_USER_INPUT", `${field} must not be empty`, field);
  if (characters(trimmed) > max) return refuse("BAD_USER_INPUT", `${field} must be at most ${max} characters`, field);
  if (!isPrintableText(trimmed))
    return refuse("BAD_USER_INPUT", `${field} must not contain control characters or malformed Unicode`, field);
  return trimmed;
}

/** Echo a little of a bad value in a message, never a long or multi-line one. */
export function quote(value: string, max = 12): string {
  const short = [...value]
    .slice(0, max)
    .join("")
    .replace(/\p{Cc}/gu, "?");
  return `"${short}${characters(value) > max ? "…" : ""}"`;
}
