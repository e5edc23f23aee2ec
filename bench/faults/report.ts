// The run's figures: operations, faults by kind, violations, time to a definite answer and
// recovery time per fault kind.

import type { Request } from "./history.ts";
import type { FaultKind } from "./nemesis.ts";
import type { RunResult } from "./run.ts";

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (value: number | undefined) =>
  value === undefined ? "—" : value >= 1_000 ? `${(value / 1_000).toFixed(2)} s` : `${Math.round(value)} ms`;

function spread(values: number[]): { p50: string; p99: string; max: string } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: ms(quantile(sorted, 0.5)), p99: ms(quantile(sorted, 0.99)), max: ms(sorted.at(-1)) };
}

/** Which requests a fault could hold up: the ones its process (or everything) serves. */
const AFFECTS: Record<FaultKind, (request: Request) => boolean> = {
  "kill balances": (r) => r.kind === "topup" || r.kind === "transfer",
  "kill payouts": (r) => r.kind === "payout" || r.kind === "cancel",
  "kill gateway": () => true,
  "kill worker": () => true,
  "database restart": () => true,
};

export interface Figures {
  readonly text: string;
  readonly violations: number;
}

export function figures(result: RunResult): Figures {
  const { history, faults, stream } = result;
  const requests = history.requests;
  const lines: string[] = [];
  const count = (filter: (r: Request) => boolean) => requests.filter(filter).length;
  const outcomes: Record<string, number> = {};
  for (const r of requests) {
    const d = r.answered.definite;
    const label = d === undefined ? "no definite answer" : d.ok ? "ok" : d.code;
    outcomes[label] = (outcomes[label] ?? 0) + 1;
  }
  const retriedRequests = count((r) => r.answered.attempts > 1);
  const why: Record<string, number> = {};
  for (const r of requests) for (const [reason, n] of Object.entries(r.answered.retried)) why[reason] = (why[reason] ?? 0) + n;
  lines.push(
    `operations: ${requests.length} requests in ${result.seconds.toFixed(0)} s (${(requests.length / result.seconds).toFixed(0)}/s): ` +
      `${count((r) => r.usage === "first")} new, ${count((r) => r.usage === "replay")} replays, ${count((r) => r.usage === "reuse")} conflicting reuses, ${count((r) => r.usage === "duplicate")} concurrent duplicates`,
    `  by kind: ${["topup", "transfer", "payout", "cancel"].map((k) => `${k} ${count((r) => r.kind === k)}`).join(", ")}`,
    `  answers: ${Object.entries(outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `  retried until definite: ${retriedRequests} requests, ${requests.reduce((n, r) => n + r.answered.attempts - 1, 0)} retries (${
      Object.entries(why)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    })`,
  );
  const byKind = new Map<FaultKind, typeof faults>();
  for (const fault of faults) byKind.set(fault.kind, [...(byKind.get(fault.kind) ?? []), fault]);
  lines.push(`faults: ${faults.length} (${[...byKind].map(([k, f]) => `${k} ${f.length}`).join(", ") || "none"})`);

  const violations = history.violationCount();
  lines.push(`violations: ${violations}`);
  for (const [kind, list] of history.violations) lines.push(`  ${kind}: ${list.length}; e.g. ${list.slice(0, 3).join(" | ")}`);

  const all = spread(requests.map((r) => r.answered.ms));
  const hit = requests.filter(
    (r) => r.answered.attempts > 1 || faults.some((f) => r.startedAt <= f.at + (f.readyAfterMs ?? 0) && r.endedAt >= f.at),
  );
  const during = spread(hit.map((r) => r.answered.ms));
  lines.push(
    `time to a definite answer: p50 ${all.p50}, p99 ${all.p99}, max ${all.max} (all ${requests.length})`,
    `  requests in flight during a fault or retried (${hit.length}): p50 ${during.p50}, p99 ${during.p99}, max ${during.max}`,
  );

  const slowest = [...requests].sort((a, b) => b.answered.ms - a.answered.ms).slice(0, 3);
  const run0 = Math.min(...requests.map((r) => r.startedAt));
  for (const r of slowest) {
    const overlapped = faults
      .filter((f) => f.at <= r.endedAt && f.at + (f.readyAfterMs ?? Infinity) >= r.startedAt)
      .map((f) => `${f.kind} at ${ms(f.at - run0)}`);
    lines.push(
      `  slow: ${r.kind} (${r.usage}) ${ms(r.answered.ms)}, sent ${ms(r.startedAt - run0)} into the run` +
        `${overlapped.length > 0 ? ` (faults: ${overlapped.join(", ")})` : ""}; retried ${JSON.stringify(r.answered.retried)}`,
    );
  }
  lines.push("time to a definite answer of the requests each kind of fault held up (in flight during it, and served by what it hit):");
  for (const [kind, list] of byKind) {
    const held = requests.filter(
      (r) => AFFECTS[kind](r) && list.some((f) => r.startedAt <= f.at + (f.readyAfterMs ?? 0) && r.endedAt >= f.at),
    );
    const { p50, p99, max } = spread(held.map((r) => r.answered.ms));
    lines.push(`  ${kind.padEnd(16)} ${held.length} requests: p50 ${p50}, p99 ${p99}, max ${max}`);
  }
  lines.push("recovery per fault kind (each of its faults):");
  for (const [kind, list] of byKind) {
    const firstSuccess = list.map((fault) => {
      const ends = requests
        .filter((r) => r.startedAt >= fault.at && r.answered.definite?.ok && AFFECTS[kind](r))
        .map((r) => r.endedAt - fault.at);
      return ends.length > 0 ? Math.min(...ends) : undefined;
    });
    const ready = list.map((f) => f.readyAfterMs);
    const describe = (values: (number | undefined)[]) => values.map((v) => (v === undefined ? "never" : ms(v))).join(", ");
    lines.push(`  ${kind.padEnd(16)} first success after the fault ${describe(firstSuccess)}; every process ready ${describe(ready)}`);
  }
  if (stream) {
    lines.push(
      `stream (balanceChanged, resumed with after): ${stream.events} events in the table, ${stream.delivered} delivered, ` +
        `missing ${stream.missing}, duplicates ${stream.duplicates}, out of order ${stream.outOfOrder}, results without an event id ${stream.withoutCursor}, resumes ${stream.resumed}` +
        ` (subscriptions ended by a retryable error: ${
          Object.entries(stream.interruptions)
            .map(([code, n]) => `${code} ${n}`)
            .join(", ") || "none"
        })`,
    );
  }
  return { text: lines.join("\n"), violations };
}
