// Validation of a new payout's own fields, pure: statement descriptor and metadata.

import { parseMetadata, type Metadata } from "../../accounts/api.ts";
import { refuse, type InputRefusal } from "../../shared/refusal.ts";

export const MAX_STATEMENT_DESCRIPTOR = 22;

// Printable ASCII, without the characters banks reject on statements (< > \ ' ").
const DESCRIPTOR = /^[\x20-\x7e]+$/;
const FORBIDDEN = /[<>\\'"]/;

export function checkStatementDescriptor(value: string | null | undefined): string | undefined | InputRefusal {
  if (value === null || value === undefined) return undefined;
  const argument = "input.statementDescriptor";
  if (value.trim().length === 0) return refuse("BAD_USER_INPUT", "statementDescriptor must not be blank", argument);
  if (value.length > MAX_STATEMENT_DESCRIPTOR || !DESCRIPTOR.test(value) || FORBIDDEN.test(value)) {
    return refuse(
      "BAD_USER_INPUT",
      `statementDescriptor must be at most ${MAX_STATEMENT_DESCRIPTOR} printable ASCII characters, without < > \\ ' "`,
      argument,
    );
  }
  return value;
}

export function checkPayoutMetadata(
  value: unknown,
): { readonly ok: true; readonly metadata: Metadata } | { readonly ok: false; readonly problem: InputRefusal } {
  const result = parseMetadata(value);
  if (!result.ok) return { ok: false, problem: refuse("BAD_USER_INPUT", result.problem.message, "input.metadata") };
  return result;
}
