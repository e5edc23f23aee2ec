// Named prepared statements on Postgres. A statement sent unnamed is parsed, analysed and planned
// by Postgres every time; named, each connection parses it once, and after a few executions
// Postgres keeps its plan when a generic one is no dearer than planning per call. A dashboard
// page's five reads cost Postgres about a third less CPU so (docs/performance.md).
//
// Every statement with parameters is named after its text (statements without parameters are
// one-offs: BEGIN, COMMIT, migrations). The names of a process are bounded (MAX_NAMED): past
// that, new texts go unnamed, so a store that built its SQL from varying text could not fill
// every connection with prepared statements. Statements whose tables changed shape under them (a
// migration altered a column they return) fail in Postgres with "cached plan must not change
// result type"; such a statement is renamed, so every connection prepares it afresh, and the
// failed call is retried: at once outside a transaction, as a retryable conflict inside one
// (inTransaction, errors.ts).
//
// DATABASE_PREPARED_STATEMENTS=false sends every statement unnamed, for a pooler that cannot
// carry prepared statements across its connections (PgBouncer in transaction mode before 1.21).

import { createHash } from "node:crypto";
import type pg from "pg";
import { Counter } from "prom-client";
import { processRegistry } from "../metrics.ts";
import { isStalePlan } from "./errors.ts";

/** Most statement texts one process names; later ones run unnamed. */
export const MAX_NAMED = 1_000;

const unnamedStatements = new Counter({
  name: "moneygraph_db_unnamed_statements_total",
  help: "Statements with parameters sent unnamed because the process already names MAX_NAMED statement texts",
  registers: [processRegistry],
});

const stalePlans = new Counter({
  name: "moneygraph_db_stale_plans_total",
  help: "Prepared statements Postgres refused as stale (a migration changed their result), renamed and run again",
  registers: [processRegistry],
});

export class PreparedStatements {
  private readonly names = new Map<string, string>();
  private renamed = 0;

  constructor(
    private readonly enabled: boolean,
    private readonly max = MAX_NAMED,
  ) {}

  /** The driver's query for `text` with `params`: named when it has parameters and room is left. */
  query(text: string, params: readonly unknown[] | undefined): pg.QueryConfig {
    const values = params as unknown[] | undefined;
    if (!this.enabled || !values) return { text, values };
    let name = this.names.get(text);
    if (name === undefined) {
      if (this.names.size >= this.max) {
        unnamedStatements.inc();
        return { text, values };
      }
      name = `mg_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
      this.names.set(text, name);
    }
    return { name, text, values };
  }

  /**
   * Whether `error` is a stale plan of `text`'s named statement; if so, the statement has a new
   * name from now on (the connections that prepared the old one keep it, unused).
   */
  renewIfStale(text: string, error: unknown): boolean {
    if (!isStalePlan(error)) return false;
    stalePlans.inc();
    const name = this.names.get(text);
    if (name !== undefined) this.names.set(text, `${name.slice(0, 27)}_${++this.renamed}`);
    return true;
  }

  /** How many statement texts are named (for tests). */
  get size(): number {
    return this.names.size;
  }
}
