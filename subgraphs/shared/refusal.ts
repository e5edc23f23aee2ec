// Refusals: the one domain result for "this request cannot be done", returned as a value by
// domain rules and use cases alike. A refusal carries the API's code, a message for the client
// and, for BAD_USER_INPUT, the input argument at fault ("input.amount"). Functions name the
// codes they can refuse with in their signatures (`Refusal<"INVALID_STATE" | "FORBIDDEN">`);
// `refused` (shared/errors.ts) is the one map from a refusal to the API's typed error.
// Pure: domain code imports it.

export const REFUSAL_CODES = [
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "FORBIDDEN",
  "INVALID_STATE",
  "CURRENCY_MISMATCH",
  "INSUFFICIENT_FUNDS",
  "PAYOUTS_NOT_ENABLED",
  "QUOTE_EXPIRED",
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

export class Refusal<C extends RefusalCode = RefusalCode> {
  constructor(
    readonly code: C,
    readonly message: string,
    /** The input argument at fault, as the client wrote it ("input.amount"), when there is one. */
    readonly argument?: string,
  ) {}

  /** The same refusal with its argument placed under an input ("legalName" under "input"). */
  under(prefix: string): Refusal<C> {
    return this.argument === undefined ? this : new Refusal(this.code, this.message, `${prefix}.${this.argument}`);
  }
}

/** What bad input is refused with: the argument is always named. */
export type InputRefusal = Refusal<"BAD_USER_INPUT">;

export function refuse<C extends RefusalCode>(code: C, message: string, argument?: string): Refusal<C> {
  return new Refusal(code, message, argument);
}

/** The one guard: a class, so no domain value (metadata with a key named "code") passes for one. */
export function isRefusal(value: unknown): value is Refusal {
  return value instanceof Refusal;
}
