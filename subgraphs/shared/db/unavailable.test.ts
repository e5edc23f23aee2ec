// Which errors are an outage, in the shapes the drivers really produce (taken from node-postgres
// and Prisma's pg adapter with the server refusing connections, killed mid-query, or gone).

import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, outageReason } from "./unavailable.ts";

const pgError = (code: string, severity: string, message: string) => Object.assign(new Error(message), { code, severity, name: "error" });

/** Prisma's wrapping of a driver error (PrismaClientKnownRequestError P2039 → DriverAdapterError → cause). */
const prismaWrapped = (cause: Record<string, unknown>) =>
  Object.assign(new Error("\nInvalid `prisma.account.findMany()` invocation in\n/app/x.ts:29:45\n\nDatabase error."), {
    code: "P2039",
    meta: { driverAdapterError: Object.assign(new Error(String(cause["message"] ?? "")), { name: "DriverAdapterError", cause }) },
  });

describe("an unreachable database", () => {
  it.each([
    ["connections refused by the database (FATAL 55000)", pgError("55000", "FATAL", 'database "x" is not currently accepting connections')],
    ["the session terminated by an administrator", pgError("57P01", "FATAL", "terminating connection due to administrator command")],
    ["the server starting up", pgError("57P03", "FATAL", "the database system is starting up")],
    ["too many connections", pgError("53300", "FATAL", "sorry, too many clients already")],
    ["a connection failure (class 08)", pgError("08006", "ERROR", "connection failure")],
    [
      "a refused socket",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED", syscall: "connect", errno: -111 }),
    ],
    [
      "every address refused",
      new AggregateError([Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" })], ""),
    ],
    ["a connection that ended mid-query", new Error("Connection terminated unexpectedly")],
    ["a client whose connection broke", new Error("Client has encountered a connection error and is not queryable")],
    [
      "through Prisma: FATAL from the driver",
      prismaWrapped({ kind: "postgres", code: "55000", severity: "FATAL", message: "not currently accepting connections" }),
    ],
    ["through Prisma: the adapter's DatabaseNotReachable", prismaWrapped({ kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 })],
    ["through Prisma: P1001", Object.assign(new Error("Can't reach database server"), { code: "P1001" })],
  ])("is recognised: %s", (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation", pgError("23505", "ERROR", "duplicate key value violates unique constraint")],
    ["a serialization failure (retried as a conflict instead)", pgError("40001", "ERROR", "could not serialize access")],
    ["our ledger's insufficient funds", pgError("MG001", "ERROR", "insufficient funds")],
    ["a syntax error", pgError("42601", "ERROR", "syntax error at or near")],
    ["through Prisma: a unique violation", prismaWrapped({ kind: "UniqueConstraintViolation", originalCode: "23505" })],
    ["a closed pool (shutdown, not an outage)", new Error("Cannot use a pool after calling end on the pool")],
    ["a plain bug", new TypeError("Cannot read properties of undefined")],
    ["nothing", undefined],
  ])("is not confused with %s", (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("gives the driver's reason, not Prisma's message that quotes our source", () => {
    const error = prismaWrapped({
      kind: "postgres",
      code: "55000",
      severity: "FATAL",
      message: 'database "x" is not currently accepting connections',
    });
    expect(outageReason(error)).toBe('database "x" is not currently accepting connections');
  });

  it("survives cyclic causes", () => {
    const error = new Error("outer") as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
