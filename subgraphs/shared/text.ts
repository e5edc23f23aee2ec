// The one rule for text a client sends, wherever it ends up: Postgres cannot store U+0000 in
// `text` or `jsonb`, and an unpaired UTF-16 surrogate has no UTF-8 form (the driver would write
// U+FFFD in its place, so two different idempotency keys could become one). Such text is refused,
// never stored, never rewritten.

export type TextFault = "NUL" | "UNPAIRED_SURROGATE";

// An escape, not the character: the rule must read the same whatever an editor does to the file.
const NUL = /\u0000/;

/** What makes `value` unstorable, if anything. */
export function textFault(value: string): TextFault | undefined {
  if (NUL.test(value)) return "NUL";
  if (!value.isWellFormed()) return "UNPAIRED_SURROGATE";
  return undefined;
}

/** Whether `value` can be stored as it is. */
export function isStorableText(value: string): boolean {
  return textFault(value) === undefined;
}

/** A client-facing sentence naming the argument (`input.description`, `metadata.key`...). */
export function textFaultMessage(argument: string, fault: TextFault): string {
  return fault === "NUL"
    ? `${argument} must not contain the NUL character (U+0000)`
    : `${argument} must be well-formed Unicode (it holds an unpaired UTF-16 surrogate)`;
}

export interface TextProblem {
  /** Where the text is: an argument path such as `input.metadata.note`, or `$variable...`. */
  readonly argument: string;
  readonly fault: TextFault;
}

/** The first unstorable string in a JSON-like value (keys included), with its path. */
export function findTextFault(value: unknown, path: string): TextProblem | undefined {
  if (typeof value === "string") {
    const fault = textFault(value);
    return fault ? { argument: path, fault } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findTextFault(value[i], `${path}.${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const keyFault = textFault(key);
      if (keyFault) return { argument: `${path} (a key)`, fault: keyFault };
      const found = findTextFault(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

// C0 and C1 control characters and DEL (Unicode category Cc).
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /[^\P{Cc}\n\t]/u;

/**
 * Text a person typed for a person to read (names, descriptions, emails): storable and free of
 * control characters; `multiline` allows newlines and tabs.
 */
export function isPrintableText(value: string, options: { readonly multiline?: boolean } = {}): boolean {
  if (!isStorableText(value)) return false;
  return !(options.multiline ? CONTROL_BUT_LINES : CONTROL).test(value);
}
