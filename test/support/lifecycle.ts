// Checks a lifecycle's database guard against its state machine (shared/lifecycle): for every
// pair of distinct statuses, a row in the first is updated to the second with raw SQL, around
// every use case, and the trigger must refuse exactly the transitions the machine refuses.

import type { SqlClient } from "../../subgraphs/shared/db/database.ts";
import type { StateMachine } from "../../subgraphs/shared/lifecycle/state-machine.ts";

export interface GuardCheck {
  /** "FROM -> TO" pairs where the database and the machine disagree. */
  readonly disagreements: string[];
  /** How many transitions the database refused. */
  readonly refused: number;
}

/** `rowIn(status)` stores a row in `status` that no worker will claim, and returns its id. */
export async function checkGuard<S extends string>(
  sql: SqlClient,
  table: string,
  machine: StateMachine<S>,
  rowIn: (status: S) => Promise<string>,
): Promise<GuardCheck> {
  const disagreements: string[] = [];
  let refused = 0;
  for (const from of machine.statuses) {
    for (const to of machine.statuses.filter((status) => status !== from)) {
      const id = await rowIn(from);
      const allowed = await sql.query(`UPDATE ${table} SET status = $2 WHERE id = $1`, [id, to]).then(
        () => true,
        (error: unknown) => {
          if (!/illegal .*transition/.test(String(error))) throw error;
          return false;
        },
      );
      if (!allowed) refused += 1;
      if (allowed !== machine.canTransition(from, to))
        disagreements.push(`${from} -> ${to}: the database ${allowed ? "allowed" : "refused"} it`);
    }
  }
  return { disagreements, refused };
}
