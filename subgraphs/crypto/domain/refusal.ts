// The ways a crypto operation can be refused, as values: services turn them into AppErrors.

export type RefusalCode = "BAD_USER_INPUT" | "INVALID_STATE" | "PAYOUTS_NOT_ENABLED" | "QUOTE_EXPIRED";

export interface CryptoRefusal {
  readonly refused: true;
  readonly code: RefusalCode;
  readonly message: string;
  /** The input argument at fault, for BAD_USER_INPUT. */
  readonly argument?: string;
}

export function refuse(code: RefusalCode, message: string, argument?: string): CryptoRefusal {
  return argument === undefined ? { refused: true, code, message } : { refused: true, code, message, argument };
}

export function isRefusal(value: unknown): value is CryptoRefusal {
  return typeof value === "object" && value !== null && (value as { refused?: unknown }).refused === true;
}
