// One database, two storage modes: Postgres when DATABASE_URL is set, otherwise embedded PGlite
// (Postgres compiled to WebAssembly, in-process, data under DATA_DIR). The same SQL migrations
// serve both. Modules' stores talk SQL through `sql` (autocommit) and `transaction` (one
// connection, raw SQL: see transaction.ts); the Prisma client stays for tests and tooling that
// read the model layer.
// With tracing on, every statement and transaction run through here (or through Prisma, see
// observe.ts) inside a traced request is a span (tracing.ts).

import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../../../prisma/generated/client.ts";
import { Gauge } from "prom-client";
import { processRegistry } from "../metrics.ts";
import { Notifier } from "./notifier.ts";
import { observeAdapter, StatementObservers, type StatementListener } from "./observe.ts";
import { PreparedStatements } from "./prepared.ts";
import { traceStatement, traceTransaction } from "./tracing.ts";

export type { PrismaClient };

export interface SqlClient {
  /**
   * Runs one statement. Statements a caller issues without waiting for the previous ones run in
   * the order issued; in a transaction on Postgres they go to the server together (the driver's
   * pipeline mode), so several statements cost one round trip, not one each. A statement that
   * fails there fails those issued after it in the same transaction too (the transaction is
   * aborted), and the caller sees the first failure first.
   */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Present where the client knows when its work commits (the autocommit `db.sql`, and
   * `db.transaction`): sends NOTIFY `payloads` on `channel` once the statements already run
   * have committed (at once for autocommit, after COMMIT for a transaction, never after a
   * rollback), from outside the transaction and coalesced (see notifier.ts). Where it is
   * absent, notify inside the transaction instead.
   */
  notifyAfterCommit?(channel: string, payloads: readonly string[]): void;
  /**
   * True for the autocommit `db.sql` (each statement its own transaction, on any pooled
   * connection): a caller may then share one statement among concurrent calls (the ledger's
   * group commit, subgraphs/ledger/service/group-commit.ts).
   */
  readonly autocommit?: boolean;
  /**
   * Present in a transaction (`db.transaction`): `last`, the promise of the transaction's final
   * statements, issued and not yet answered, ends its work. The transaction's function may then
   * return without awaiting it: COMMIT is sent behind those statements at once, in the same round
   * trip on Postgres. If `last` rejects, nothing commits (Postgres ends a failed transaction's
   * COMMIT as a rollback) and the transaction throws `last`'s error, as if awaited inside.
   */
  commitAfter?(last: Promise<unknown>): void;
}

const NOTIFY_SQL = "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p";

/**
 * The SqlClient of one transaction: its after-commit notifications wait for `afterCommit`; the
 * statements handed to `commitAfter` are settled by `lastStatements` (their first error thrown).
 */
function transactionClient(
  run: (text: string, params?: readonly unknown[]) => Promise<unknown[]>,
  exec: (script: string) => Promise<void>,
): { sql: SqlClient; afterCommit(notifier: Notifier): void; lastStatements(): Promise<void> } {
  const held: [string, readonly string[]][] = [];
  const last: Promise<unknown>[] = [];
  return {
    sql: {
      query: (text, params) => run(text, params) as never,
      exec,
      notifyAfterCommit: (channel, payloads) => void held.push([channel, payloads]),
      commitAfter: (statements) => {
        statements.catch(() => {});
        last.push(statements);
      },
    },
    afterCommit: (notifier) => {
      for (const [channel, payloads] of held) notifier.notify(channel, payloads);
    },
    lastStatements: async () => {
      for (const outcome of await Promise.allSettled(last)) if (outcome.status === "rejected") throw outcome.reason;
    },
  };
}

/** A raw statement: seen by the statement observers (as Prisma's are, observe.ts) and traced. */
function observed<T>(observers: StatementObservers, text: string, run: () => Promise<T>): Promise<T> {
  observers.emit(text);
  return traceStatement(text, run);
}

export type Unlisten = () => Promise<void>;

export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly prisma: PrismaClient;
  readonly sql: SqlClient;
  /** Runs `fn` on one connection (session-level state such as advisory locks stays put). */
  session<T>(fn: (sql: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction on one connection, with raw SQL (Prisma's interactive-transaction
   * machinery costs several times the work of the money path's transactions). Commits when `fn`
   * resolves, rolls back when it throws. Callers use inTransaction (transaction.ts), which retries.
   */
  transaction<T>(fn: (sql: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (delivered on commit). On Postgres the
   * listening connection is re-established if it drops; notifications sent meanwhile are lost,
   * so `onReconnect` tells the caller to re-read whatever it was waiting for.
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<Unlisten>;
  /** Calls `listener` with every SQL statement sent (raw or by Prisma), until the returned function is called. */
  observeStatements(listener: StatementListener): () => void;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Postgres when set. */
  readonly url?: string | undefined;
  /** PGlite data directory; omit for an in-memory database. */
  readonly dataDir?: string | undefined;
  readonly poolSize?: number;
  /** Postgres: send statements with parameters as named prepared statements (prepared.ts). Default true. */
  readonly preparedStatements?: boolean;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 20, options.preparedStatements ?? true) : openPGlite(options.dataDir);
}

// The connection pools of the databases open in this process, read when metrics are scraped
// (nothing is counted per query). PGlite is one in-process connection: it has a size, but no
// idle connections or waiting clients to report.
interface PoolReading {
  readonly driver: Database["kind"];
  readonly total: number;
  readonly max: number;
  readonly idle?: number;
  readonly waiting?: number;
}
const openPools = new Set<() => PoolReading>();

function poolGauge(name: string, help: string, read: (pool: PoolReading) => number | undefined): Gauge<"driver"> {
  return new Gauge({
    name,
    help,
    labelNames: ["driver"],
    registers: [processRegistry],
    collect() {
      this.reset();
      const sums = new Map<string, number>();
      for (const reading of [...openPools].map((pool) => pool())) {
        const value = read(reading);
        if (value !== undefined) sums.set(reading.driver, (sums.get(reading.driver) ?? 0) + value);
      }
      for (const [driver, value] of sums) this.set({ driver }, value);
    },
  });
}

poolGauge("moneygraph_db_pool_connections", "Open database connections in this process's pools", (pool) => pool.total);
poolGauge("moneygraph_db_pool_max_connections", "Most connections this process's pools may open (DATABASE_POOL_SIZE)", (pool) => pool.max);
poolGauge("moneygraph_db_pool_idle_connections", "Open database connections not checked out (Postgres)", (pool) => pool.idle);
poolGauge("moneygraph_db_pool_waiting_clients", "Callers waiting for a pooled connection (Postgres)", (pool) => pool.waiting);

function assertChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
}

async function openPostgres(url: string, max: number, preparedStatements: boolean): Promise<Database> {
  // Pipeline mode: a connection sends a statement without waiting for the answers to those
  // before it (each is still its own protocol message with its own Sync, run in order). Callers
  // that await each statement see no difference; a transaction that issues several at once pays
  // one round trip for them (SqlClient.query). On a busy process every round trip also waits for
  // the event loop to read its answer, so this is where a transaction's time went.
  const pool = new pg.Pool({ connectionString: url, max, pipeline: true });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  // Nor may a client between owners. The pool hands a client on from a finished query to a
  // waiting `pool.connect()` with no 'error' listener until the new owner's code runs, a
  // microtask later; a backend terminated just after its last result sends the FATAL in the same
  // packet, which the driver emits into that gap (a database restart killed the balances process
  // so under load). A listener for the client's whole life closes the gap; the client is marked
  // unusable by the driver, and its next owner's query fails and drops it.
  pool.on("connect", (client) => client.on("error", () => {}));
  const reading = (): PoolReading => ({
    driver: "postgres",
    total: pool.totalCount,
    max,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  });
  openPools.add(reading);
  const observers = new StatementObservers();
  const prisma = new PrismaClient({ adapter: observeAdapter(new PrismaPg(pool), observers) });
  const listeners = new Set<PostgresListener>();
  const prepared = new PreparedStatements(preparedStatements);
  // On a checked-out connection (a session, a transaction): a stale plan is renamed and thrown,
  // and inTransaction runs the transaction again (isRetryableConflict).
  const onClient = async (client: pg.PoolClient, text: string, params: readonly unknown[] | undefined) => {
    try {
      return (await client.query(prepared.query(text, params))).rows;
    } catch (error) {
      prepared.renewIfStale(text, error);
      throw error;
    }
  };
  const notifier = new Notifier(async (channel, payloads) => {
    await pool.query(NOTIFY_SQL, [channel, payloads]);
  });
  return {
    kind: "postgres",
    prisma,
    observeStatements: (listener) => observers.add(listener),
    sql: {
      query: (text, params) =>
        observed(observers, text, async () => {
          try {
            return (await pool.query(prepared.query(text, params))).rows;
          } catch (error) {
            // A stale plan (its tables changed shape): once more, under the statement's new name.
            if (!prepared.renewIfStale(text, error)) throw error;
            return (await pool.query(prepared.query(text, params))).rows;
          }
        }),
      exec: (script) => observed(observers, script, async () => void (await pool.query(script))),
      notifyAfterCommit: (channel, payloads) => notifier.notify(channel, payloads),
      autocommit: true,
    },
    async session(fn) {
      const client = await pool.connect();
      const lost = watchCheckedOut(client);
      try {
        return await fn({
          query: (text, params) => observed(observers, text, () => onClient(client, text, params)),
          exec: (script) => observed(observers, script, async () => void (await client.query(script))),
        });
      } finally {
        client.release(lost());
      }
    },
    transaction: (fn) =>
      traceTransaction(async () => {
        const client = await pool.connect();
        const lost = watchCheckedOut(client);
        let broken = false;
        try {
          // Not awaited: the transaction's first statements follow BEGIN in the same round trip
          // (pipeline mode). BEGIN fails only with its connection, and then so does every
          // statement behind it, COMMIT included; its answer is awaited below all the same.
          const begun = client.query("BEGIN");
          begun.catch(() => {});
          const tx = transactionClient(
            (text, params) => observed(observers, text, () => onClient(client, text, params)),
            (script) => observed(observers, script, async () => void (await client.query(script))),
          );
          const result = await fn(tx.sql);
          // Behind the statements handed to commitAfter, in their round trip (with BEGIN's too,
          // when the function awaited nothing).
          const committing = client.query("COMMIT");
          committing.catch(() => {});
          await begun;
          await tx.lastStatements();
          // A COMMIT that ended a failed transaction answers ROLLBACK (a statement failed that
          // its caller neither awaited nor handed to commitAfter).
          if ((await committing).command !== "COMMIT")
            throw new Error("the transaction was rolled back at COMMIT: one of its statements failed");
          tx.afterCommit(notifier);
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          throw error;
        } finally {
          // A connection whose rollback failed is in an unknown state: drop it from the pool.
          client.release(broken || lost());
        }
      }),
    async listen(channel, onNotify, onReconnect) {
      assertChannel(channel);
      const listener = new PostgresListener(url, channel, onNotify, onReconnect);
      await listener.start();
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    async close() {
      openPools.delete(reading);
      await notifier.flushed();
      await Promise.all([...listeners].map((listener) => listener.stop()));
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/**
 * While a pooled client is checked out the pool does not listen to it, and an 'error' event
 * with no listener (the server restarted, the connection was terminated) would crash the
 * process. The query in flight fails on its own; this keeps the process up and tells the caller
 * to drop the connection rather than return it to the pool.
 */
function watchCheckedOut(client: pg.PoolClient): () => Error | undefined {
  let error: Error | undefined;
  const onError = (cause: Error) => {
    error = cause;
  };
  client.on("error", onError);
  return () => {
    client.off("error", onError);
    return error;
  };
}

/**
 * One dedicated connection in LISTEN mode (a pooled one would be handed to other queries).
 * A dropped connection (server restart, network) is replaced with backoff, then `onReconnect`
 * runs so the caller can catch up on what it missed.
 */
class PostgresListener {
  private client: pg.Client | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string) => void,
    private readonly onReconnect: (() => void) | undefined,
  ) {}

  async start(): Promise<void> {
    this.client = await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url });
    // An error is followed by "end", which is where the connection is replaced.
    client.on("error", () => {});
    client.on("notification", (message) => {
      if (message.channel === this.channel) this.onNotify(message.payload ?? "");
    });
    await client.connect();
    try {
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    client.once("end", () => void this.replace());
    return client;
  }

  private async replace(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5_000)));
      if (this.stopped) return;
      try {
        const client = await this.connect();
        if (this.stopped) {
          await client.end().catch(() => {});
          return;
        }
        this.client = client;
        this.onReconnect?.();
        return;
      } catch {
        // the server is still away: try again
      }
    }
  }
}

/**
 * PGlite runs a statement synchronously, in WebAssembly, and answers it on the microtask queue:
 * a loop of statements (the transfer batcher draining a busy queue) would never let timers or
 * I/O run, and the workers' polls would starve. Each statement first waits for the event loop's
 * next turn, as a statement over a socket does.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function openPGlite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir ? { dataDir } : {});
  const reading = (): PoolReading => ({ driver: "pglite", total: lite.closed ? 0 : 1, max: 1 });
  openPools.add(reading);
  const observers = new StatementObservers();
  const prisma = new PrismaClient({ adapter: observeAdapter(new PrismaPGlite(lite), observers) });
  const notifier = new Notifier(async (channel, payloads) => {
    await lite.query(NOTIFY_SQL, [channel, payloads]);
  });
  // A transaction's statements, one at a time in the order issued (SqlClient.query): PGlite's
  // transaction object does not queue statements sent to it before the previous one answered.
  const inIssueOrder = (run: (text: string, params?: readonly unknown[]) => Promise<unknown[]>) => {
    let previous: Promise<unknown> = Promise.resolve();
    return (text: string, params?: readonly unknown[]) => {
      const result = previous.then(() => run(text, params));
      previous = result.catch(() => {});
      return result;
    };
  };
  // Every statement, autocommit or in a transaction: observed, after a turn of the event loop.
  const queryOn =
    (target: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> }) => (text: string, params?: readonly unknown[]) =>
      observed(observers, text, async () => {
        await turn();
        return (await target.query(text, params as unknown[] | undefined)).rows as never[];
      });
  const sql: SqlClient = {
    query: queryOn(lite),
    exec: (script) => observed(observers, script, async () => void (await lite.exec(script))),
    notifyAfterCommit: (channel, payloads) => notifier.notify(channel, payloads),
    autocommit: true,
  };
  return {
    kind: "pglite",
    prisma,
    sql,
    observeStatements: (listener) => observers.add(listener),
    // PGlite is a single connection: every call is already one session. A session may open
    // its own transaction, so it cannot promise after-commit work.
    session: (fn) => fn({ query: sql.query, exec: sql.exec }),
    transaction: (fn) =>
      traceTransaction(async () => {
        let committed: ReturnType<typeof transactionClient> | undefined;
        const result = await lite.transaction(async (liteTx) => {
          const tx = transactionClient(inIssueOrder(queryOn(liteTx)), (script) =>
            observed(observers, script, async () => void (await liteTx.exec(script))),
          );
          const value = await fn(tx.sql);
          // PGlite commits when this returns: its last statements first (no round trip to save).
          await tx.lastStatements();
          committed = tx;
          return value;
        });
        committed?.afterCommit(notifier);
        return result;
      }),
    // One in-process database: its notifications cannot be lost to a dropped connection.
    async listen(channel, onNotify) {
      assertChannel(channel);
      return lite.listen(channel, onNotify);
    },
    async close() {
      openPools.delete(reading);
      await notifier.flushed();
      await prisma.$disconnect();
      // Closing PGlite flushes and checkpoints its data directory: never skip it on shutdown.
      await lite.close();
    },
  };
}
