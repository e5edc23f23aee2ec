// A process that dies holding an idempotency key (SIGKILL mid-request) must not hold it for
// long: its lease lapses unrenewed within DEFAULT_LEASE_MS and a retry takes the key over. While
// the owner lives, its renewals keep the key its own however long the operation runs.

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, inject, it } from "vitest";
import { DEFAULT_LEASE_MS, Idempotency } from "../subgraphs/shared/idempotency/idempotency.ts";
import { testDatabase } from "./support/database.ts";
import { spawnEntry, stopSpawned, type Spawned } from "./support/processes.ts";

afterEach(stopSpawned);

function owner(scope: string, key: string): Spawned {
  return spawnEntry("test/support/idempotency-owner.ts", [scope, key], { DATABASE_URL: inject("databaseUrl") });
}

async function lockedUntil(scope: string, key: string): Promise<Date> {
  const db = await testDatabase();
  const [row] = await db.sql.query<{ locked_until: Date }>("SELECT locked_until FROM idempotency_key WHERE scope = $1 AND key = $2", [
    scope,
    key,
  ]);
  if (!row) throw new Error("no key row");
  return new Date(row.locked_until);
}

describe("an idempotency key whose owner process is killed", () => {
  it("is kept by a live owner past its lease, and taken over by a retry within a lease of the owner's death", async () => {
    const db = await testDatabase();
    const scope = `acct_${randomBytes(6).toString("hex")}:test`;
    const key = "crash";
    const first = owner(scope, key);
    await first.waitFor(/claimed claimed/);

    // Alive: renewed, so a retry is told the key is in use, even after several leases.
    const impatient = new Idempotency(db, { waitMs: 0 });
    const renewedFrom = await lockedUntil(scope, key);
    const deadline = Date.now() + 60_000;
    while ((await lockedUntil(scope, key)).getTime() < renewedFrom.getTime() + 2 * DEFAULT_LEASE_MS) {
      if (Date.now() > deadline) throw new Error("the live owner's lease was not renewed");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await expect(impatient.claim({ scope, key, operation: "op", params: {} })).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_IN_USE" });

    // Killed: nothing renews the lease after the death, and a retry takes the key over.
    await first.stop("SIGKILL");
    const killedAt = Date.now();
    const lapse = await lockedUntil(scope, key);
    expect(lapse.getTime()).toBeLessThanOrEqual(killedAt + DEFAULT_LEASE_MS);
    const retry = await new Idempotency(db, { waitMs: 60_000 }).claim({ scope, key, operation: "op", params: {} });
    expect(retry.kind).toBe("claimed");
    // It waited for the lease, not longer: its claim came when the dead owner's lapsed.
    expect((await lockedUntil(scope, key)).getTime()).toBeGreaterThan(lapse.getTime());
  });
});
