import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DatabaseOutage } from "./outage.ts";

const refused = () => Object.assign(new Error('database "x" is not currently accepting connections'), { code: "55000", severity: "FATAL" });

function captured() {
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const logger = pino(
    { level: "debug", base: undefined },
    { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
  );
  return { lines, logger };
}

const outages: DatabaseOutage[] = [];
afterEach(() => {
  for (const outage of outages.splice(0)) outage.stop();
  vi.useRealTimers();
});

describe("a database outage, as one process sees it", () => {
  it("is logged once when it starts and once when it ends, however often it is reported", () => {
    const { lines, logger } = captured();
    const outage = new DatabaseOutage({ logger, probe: () => Promise.reject(refused()), probeEveryMs: 60_000 });
    outages.push(outage);
    for (let i = 0; i < 50; i++) expect(outage.report(refused())).toBe(true);
    expect(outage.ongoing).toBe(true);
    outage.available();
    outage.available();
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [50, "database unreachable; answering SERVICE_UNAVAILABLE until it is back"],
      [40, expect.stringMatching(/^database reachable again after \d+ ms$/)],
    ]);
    expect(lines[0]!.reason).toBe('database "x" is not currently accepting connections');
    // A second outage is a new one.
    outage.report(refused());
    expect(lines).toHaveLength(3);
  });

  it("leaves other errors to the caller", () => {
    const { lines, logger } = captured();
    const outage = new DatabaseOutage({ logger, probe: () => Promise.resolve() });
    outages.push(outage);
    expect(outage.report(Object.assign(new Error("duplicate key"), { code: "23505", severity: "ERROR" }))).toBe(false);
    expect(outage.ongoing).toBe(false);
    expect(lines).toEqual([]);
  });

  it("notices the end by itself, probing, when nothing else touches the database", async () => {
    vi.useFakeTimers();
    const { lines, logger } = captured();
    let up = false;
    let probes = 0;
    const outage = new DatabaseOutage({
      logger,
      probe: async () => {
        probes += 1;
        if (!up) throw refused();
      },
      probeEveryMs: 10,
    });
    outages.push(outage);
    outage.report(refused());
    await vi.advanceTimersByTimeAsync(30);
    expect(probes).toBe(3);
    expect(outage.ongoing).toBe(true);
    up = true;
    await vi.advanceTimersByTimeAsync(10);
    expect(outage.ongoing).toBe(false);
    expect(lines.map((line) => line.msg)).toEqual([
      "database unreachable; answering SERVICE_UNAVAILABLE until it is back",
      expect.stringMatching(/^database reachable again after 40 ms$/),
    ]);
    await vi.advanceTimersByTimeAsync(100);
    expect(probes).toBe(4);
  });

  it("stops probing when the database was closed (shutdown, not an outage)", async () => {
    vi.useFakeTimers();
    const { logger } = captured();
    let probes = 0;
    const outage = new DatabaseOutage({
      logger,
      probe: async () => {
        probes += 1;
        throw new Error("Cannot use a pool after calling end on the pool");
      },
      probeEveryMs: 10,
    });
    outages.push(outage);
    outage.report(refused());
    await vi.advanceTimersByTimeAsync(100);
    expect(probes).toBe(1);
  });
});
