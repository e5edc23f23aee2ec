// The polling loop's behaviour through a database outage: reported once (not a stack per poll),
// slower polls while it lasts, and no row postponed for a failure that was not its own.

import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DatabaseOutage } from "./db/outage.ts";
import { naming, startPollingWorker, startStepWorker, StepError, type Worker } from "./worker.ts";

const refused = () => Object.assign(new Error('database "x" is not currently accepting connections'), { code: "55000", severity: "FATAL" });

function captured() {
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  const logger = pino(
    { level: "info", base: undefined },
    { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
  );
  // Never probes on its own here: only the workers' rounds tell it anything.
  const outage = new DatabaseOutage({ logger, probe: () => Promise.reject(refused()), probeEveryMs: 3_600_000 });
  return { lines, logger, outage };
}

const workers: Worker[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});

describe("a polling worker through a database outage", () => {
  it("logs the outage once and its end once, and polls at most once a second meanwhile", async () => {
    vi.useFakeTimers();
    const { lines, logger, outage } = captured();
    let down = true;
    let rounds = 0;
    workers.push(
      startPollingWorker({
        name: "test",
        logger,
        outage,
        pollMs: 10,
        async round() {
          rounds += 1;
          if (down) throw refused();
        },
      }),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(rounds).toBeGreaterThanOrEqual(4);
    expect(rounds).toBeLessThanOrEqual(6);
    down = false;
    await vi.advanceTimersByTimeAsync(1_000);
    const after = rounds;
    await vi.advanceTimersByTimeAsync(100);
    // Back to its own pace.
    expect(rounds - after).toBeGreaterThanOrEqual(9);
    expect(lines.map((line) => line.msg)).toEqual([
      "database unreachable; answering SERVICE_UNAVAILABLE until it is back",
      expect.stringMatching(/^database reachable again after \d+ ms$/),
    ]);
  });

  it("still logs every failure that is not an outage", async () => {
    vi.useFakeTimers();
    const { lines, logger, outage } = captured();
    workers.push(
      startPollingWorker({
        name: "test",
        logger,
        outage,
        pollMs: 10,
        async round() {
          throw new TypeError("a bug");
        },
      }),
    );
    await vi.advanceTimersByTimeAsync(35);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(new Set(lines.map((line) => line.msg))).toEqual(new Set(["worker round failed; retrying"]));
  });
});

describe("a step worker through a database outage", () => {
  it("does not blame the rows: the failure is not a StepError and nothing is postponed", async () => {
    vi.useFakeTimers();
    await expect(naming(["po_1"], () => Promise.reject(refused()))).rejects.not.toBeInstanceOf(StepError);
    await expect(naming(["po_1"], () => Promise.reject(new TypeError("a bug")))).rejects.toBeInstanceOf(StepError);

    const { lines, logger, outage } = captured();
    const postponed: string[] = [];
    workers.push(
      startStepWorker(
        {
          name: "test",
          logger,
          outage,
          advance: (limit) =>
            naming(
              Array.from({ length: limit }, (_, i) => `po_${i}`),
              () => Promise.reject(refused()),
            ),
          postpone: async (id) => void postponed.push(id),
        },
        { pollMs: 10, batchSize: 3 },
      ),
    );
    await vi.advanceTimersByTimeAsync(3_000);
    expect(postponed).toEqual([]);
    expect(lines.map((line) => line.msg)).toEqual(["database unreachable; answering SERVICE_UNAVAILABLE until it is back"]);
  });
});
