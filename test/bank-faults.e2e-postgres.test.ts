// The bank-style run with faults (`npm run bench:faults`), briefly: the platform as separate
// processes on a database of its own, clients moving money through the gateway and retrying
// unknown outcomes with the same key, while the balances process is SIGKILLed and restarted and
// the database cut off. Nothing may break: money conserved, no duplicate, no lost
// acknowledgement, every replay the same object, every failed payout refunded once. And the
// checks themselves catch what they are there to catch.

import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, inject, it } from "vitest";
import { checkInvariants } from "../bench/faults/checks.ts";
import { History } from "../bench/faults/history.ts";
import { figures } from "../bench/faults/report.ts";
import { runFaults } from "../bench/faults/run.ts";
import { createTopup } from "../subgraphs/balances/api.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { insertPlatform, testDeps } from "./support/deps.ts";
import { stopSpawned } from "./support/processes.ts";

afterEach(stopSpawned);

describe("a bank-style run with faults", () => {
  it("keeps every invariant through a balances kill and a database restart", async () => {
    const server = new URL(inject("databaseUrl")!);
    server.pathname = "/postgres";
    const result = await runFaults({
      serverUrl: server.toString(),
      // Ends after the two faults (and 3 s of traffic once everything is ready again), however
      // long a restart takes on a busy machine; `seconds` only bounds it.
      faults: 2,
      seconds: 150,
      clients: 8,
      faultEveryMs: 8_000,
      databaseDownMs: 1_000,
      subscribers: 0,
      faultKinds: ["kill balances", "database restart"],
    });
    const { text, violations } = figures(result);
    console.log(text);
    expect(violations, text).toBe(0);
    expect(result.faults.map((fault) => fault.kind)).toEqual(["kill balances", "database restart"]);
    expect(
      result.faults.every((fault) => fault.readyAfterMs !== undefined),
      text,
    ).toBe(true);
    // The run did real work through the faults: operations answered, some of them only after retries.
    expect(result.history.acknowledged.size).toBeGreaterThan(50);
    expect(
      result.history.requests.some((request) => request.answered.attempts > 1),
      text,
    ).toBe(true);
  }, 240_000);

  it("reports an acknowledgement the database lacks and an execution nobody acknowledged", async () => {
    const deps = await testDeps({ SETTLEMENT_DELAY_MS: "0" });
    const principal = await insertPlatform(deps);
    const unacknowledged = await createTopup(
      deps,
      principal,
      { accountId: principal.tenantId, amount: 500n, currency: parseCurrency("USD")! },
      randomUUID(),
    );
    const history = new History();
    history.acknowledge({
      kind: "topup",
      tenant: principal.tenantId,
      key: randomUUID(),
      variables: {},
      id: "tu_never_stored",
      debitOrCredit: 700n,
      accountId: principal.tenantId,
    });

    await checkInvariants(deps.db.sql, [principal.tenantId], history);
    expect(history.violations.get("acknowledged but absent")).toEqual(["topup tu_never_stored"]);
    expect(history.violations.get("executed without acknowledgement")).toEqual([`1 topup(s): ${unacknowledged.id}`]);
    expect(history.violations.get("balance differs from acknowledged operations")).toEqual([
      `${principal.tenantId}: ledger 500, acknowledged 700`,
    ]);
  });
});
