// Validation of a new payout's own fields, pure: statement descriptor and metadata.

import { parseMetadata, type Metadata } from "../../accounts/api.ts";

export const MAX_STATEMENT_DESCRIPTOR = 22;

export interface InputProblem {
  readonly code: "BAD_USER_INPUT";
  readonly message: string;
  readonly argument: string;
}

// Printable ASCII, without the characters banks reject on statements (< > \ ' ").
const DESCRIPTOR = /^[\x20-\x7e]+$/;
const FORBIDDEN = /[<>\\'"]/;

export function checkStatementDescriptor(value: string | null | undefined): string | undefined | InputProblem {
  if (value === null || value === undefined) return undefined;
  const argument = "input.statementDescriptor";
  if (value.trim().length === 0) return { code: "BAD_USER_INPUT", message: "statementDescriptor must not be blank", argument };
  if (value.length > MAX_STATEMENT_DESCRIPTOR || !DESCRIPTOR.test(value) || FORBIDDEN.test(value)) {
    return {
      code: "BAD_USER_INPUT",
      message: `statementDescriptor must be at most ${MAX_STATEMENT_DESCRIPTOR} printable ASCII characters, without < > \\ ' "`,
      argument,
    };
  }
  return value;
}

/** A result rather than `Metadata | InputProblem`: metadata may itself have a key named "code". */
export function checkPayoutMetadata(value: unknown): { readonly ok: true; readonly metadata: Metadata } | { readonly ok: false; readonly problem: InputProblem } {
  const result = parseMetadata(value);
  if (!result.ok) return { ok: false, problem: { code: "BAD_USER_INPUT", message: result.problem.message, argument: "input.metadata" } };
  return result;
}

export function isInputProblem(value: unknown): value is InputProblem {
  return typeof value === "object" && value !== null && "code" in value && "argument" in value && "message" in value;
}
