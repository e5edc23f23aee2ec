// Seeing the SQL that Prisma sends: a thin wrapper around the driver adapter that reports every
// statement (queries and commands, inside transactions too) to listeners. Transaction control
// (BEGIN, COMMIT, savepoints) is left out: Prisma sends it as SQL on Postgres and not on PGlite,
// and counting it would make the two storage modes disagree.
// Tests use it to prove that a query costs a bounded number of statements (no N+1); the same
// hook can feed metrics. Without listeners it costs one Set lookup per statement.
// The same wrapper gives Prisma's statements and interactive transactions their spans when
// tracing is on (tracing.ts), transaction control again left out (the transaction is the span).

import type { Context } from "@opentelemetry/api";
import { tracingEnabled } from "../tracing/setup.ts";
import { openTransactionSpan, traceStatement } from "./tracing.ts";

export type StatementListener = (sql: string) => void;

export class StatementObservers {
  private readonly listeners = new Set<StatementListener>();

  add(listener: StatementListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(sql: string): void {
    if (this.listeners.size === 0 || TRANSACTION_CONTROL.test(sql)) return;
    for (const listener of this.listeners) listener(sql);
  }
}

type TransactionSpan = NonNullable<ReturnType<typeof openTransactionSpan>>;

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|SET\s+TRANSACTION)\b/i;

type Queryable = { queryRaw?: unknown; executeRaw?: unknown; startTransaction?: unknown; connect?: unknown; connectToShadowDb?: unknown };

const QUERY_METHODS = new Set(["queryRaw", "executeRaw"]);
const WRAP_RESULT = new Set(["connect", "connectToShadowDb"]);

/**
 * Wraps a Prisma driver adapter factory (or the adapter or transaction it produces): statement
 * methods report their SQL (and run in a span, under `transaction`'s when inside a traced one);
 * methods that produce adapters or transactions wrap their result.
 */
export function observeAdapter<T extends object>(target: T, observers: StatementObservers, transaction?: TransactionSpan): T {
  const parent: Context | undefined = transaction?.context;
  return new Proxy(target, {
    get(object, property, _receiver) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function" || typeof property !== "string") return value;
      const method = value as (...args: unknown[]) => unknown;
      if (QUERY_METHODS.has(property)) {
        return (query: { sql: string }, ...rest: unknown[]) => {
          observers.emit(query.sql);
          if (!tracingEnabled() || TRANSACTION_CONTROL.test(query.sql)) return method.call(object, query, ...rest);
          return traceStatement(query.sql, () => method.call(object, query, ...rest) as Promise<unknown>, parent);
        };
      }
      if (property === "startTransaction") {
        return async (...args: unknown[]) => {
          const span = openTransactionSpan();
          try {
            return observeAdapter((await method.apply(object, args)) as Queryable & object, observers, span);
          } catch (error) {
            span?.end(true);
            throw error;
          }
        };
      }
      if (transaction && (property === "commit" || property === "rollback")) {
        return async (...args: unknown[]) => {
          try {
            return await method.apply(object, args);
          } finally {
            transaction.end(property === "rollback");
          }
        };
      }
      if (WRAP_RESULT.has(property)) {
        return async (...args: unknown[]) => observeAdapter((await method.apply(object, args)) as Queryable & object, observers);
      }
      return method.bind(object);
    },
  });
}
