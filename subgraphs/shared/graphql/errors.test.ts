// formatError, the one mapping to what clients see, for the cases a client must be able to act on.

import { GraphQLError } from "graphql";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { OutageReporter } from "../db/outage.ts";
import { AppError } from "../errors.ts";
import { formatErrorWith } from "./errors.ts";

function setup() {
  const logged: string[] = [];
  const reported: unknown[] = [];
  const logger = pino(
    { level: "info", base: undefined },
    { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) },
  );
  const outage: OutageReporter = { report: (error) => (reported.push(error), true), available: () => {} };
  return { logged, reported, format: formatErrorWith(logger, outage) };
}

/** What a resolver's error looks like by the time formatError sees it. */
const fromResolver = (original: Error, path = ["viewer"]) => {
  const error = new GraphQLError(original.message, { originalError: original, path });
  return [{ ...error.toJSON(), extensions: { code: "INTERNAL_SERVER_ERROR" } }, error] as const;
};

describe("formatError", () => {
  it("turns an unreachable database into a retryable SERVICE_UNAVAILABLE, reported rather than logged", () => {
    const { logged, reported, format } = setup();
    const refused = Object.assign(new Error('database "moneygraph" is not currently accepting connections'), {
      code: "55000",
      severity: "FATAL",
    });
    const formatted = format(...fromResolver(refused));
    expect(formatted).toEqual({
      message: expect.not.stringMatching(/database|moneygraph|connections/),
      path: ["viewer"],
      extensions: { code: "SERVICE_UNAVAILABLE", retryable: true, retryAfterMs: expect.any(Number) },
    });
    expect(reported).toEqual([refused]);
    expect(logged).toEqual([]);
  });

  it("marks the refusals a retry may get past", () => {
    const { format } = setup();
    const inUse = format(...fromResolver(new AppError("IDEMPOTENCY_KEY_IN_USE", "still executing")));
    expect(inUse.extensions).toEqual({ code: "IDEMPOTENCY_KEY_IN_USE", retryable: true });
    const notFound = format(...fromResolver(new AppError("NOT_FOUND", "No such account", { id: "acct_1" })));
    expect(notFound.extensions).toEqual({ id: "acct_1", code: "NOT_FOUND" });
  });

  it("keeps masking and logging a plain bug", () => {
    const { logged, reported, format } = setup();
    expect(format(...fromResolver(new TypeError("x is undefined")))).toEqual({
      message: "Internal server error",
      path: ["viewer"],
      extensions: { code: "INTERNAL_SERVER_ERROR", retryable: true },
    });
    expect(logged).toEqual(["unexpected error"]);
    expect(reported).toEqual([]);
  });

  it.each([
    [
      'Value "PAI" does not exist in "PayoutStatus" enum. Did you mean the enum value "PAID"?',
      'Value "PAI" does not exist in "PayoutStatus" enum.',
    ],
    ['Cannot query field "payout" on type "Account". Did you mean "payouts"?', 'Cannot query field "payout" on type "Account".'],
    ['Field "x" is not defined by type "In". Did you mean "y", "z", or "w"?', 'Field "x" is not defined by type "In".'],
  ])("drops the suggestion from %s", (message, expected) => {
    const { format } = setup();
    const error = new GraphQLError(message, { extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    expect(format(error.toJSON(), error)).toEqual({
      message: expected,
      extensions: { code: "BAD_USER_INPUT", reason: "GRAPHQL_VALIDATION_FAILED" },
    });
  });

  it("types Apollo's codeless refusal of a malformed request (4xx) as BAD_USER_INPUT", () => {
    const { logged, format } = setup();
    const error = new GraphQLError("provided sha does not match query", { extensions: { http: { status: 400 } } });
    expect(format({ message: error.message, extensions: { code: "INTERNAL_SERVER_ERROR" } }, error)).toEqual({
      message: "provided sha does not match query",
      extensions: { code: "BAD_USER_INPUT", reason: "BAD_REQUEST" },
    });
    expect(logged).toEqual([]);
  });
});
