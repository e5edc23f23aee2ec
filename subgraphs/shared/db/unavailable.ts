// Whether an error means the database cannot be reached at all (server down, restarting, refusing
// connections, the connection cut), as opposed to a statement that failed. The first is an
// outage: the same request may well succeed in a moment; the second is a bug or bad input.

/** Connection exceptions (class 08); shutdown and "cannot connect now" (57P0x); too many connections. */
const OUTAGE_STATES = /^(08...|57P01|57P02|57P03|53300)$/;
/** Node's socket errors when the server is away or the network drops. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
/** Prisma's codes for an unreachable server, a closed connection, timeouts, an exhausted pool. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** The driver adapter's kinds for the same (see @prisma/driver-adapter-utils). */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** What node-postgres says, without a code, when the connection ends under it. */
const PG_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  return outageReason(error) !== undefined;
}

/** Why the database is unreachable, in the driver's words (for one log line), or undefined if it is not. */
export function outageReason(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown): string | undefined => {
    if (!value || typeof value !== "object" || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const message = typeof record["message"] === "string" ? record["message"] : "";
    // Causes first: the driver's message beats Prisma's, which quotes our source code.
    for (const key of ["cause", "meta", "driverAdapterError", "originalError"]) {
      const found = visit(record[key]);
      if (found !== undefined) return found;
    }
    // AggregateError: every address of the host refused.
    if (Array.isArray(record["errors"])) {
      for (const each of record["errors"]) {
        const found = visit(each);
        if (found !== undefined) return found;
      }
    }
    // FATAL (or PANIC) ends the session: whatever the reason, this connection is gone.
    if (record["severity"] === "FATAL" || record["severity"] === "PANIC") return message;
    for (const key of ["code", "originalCode"]) {
      const code = record[key];
      if (typeof code === "string" && (OUTAGE_STATES.test(code) || SOCKET_CODES.has(code) || PRISMA_CODES.has(code)))
        return message || code;
    }
    if (typeof record["kind"] === "string" && ADAPTER_KINDS.has(record["kind"])) return message || record["kind"];
    if (PG_MESSAGES.test(message)) return message;
    return undefined;
  };
  return visit(error);
}
