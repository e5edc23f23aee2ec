// `npm run bench:compare -- <benchmark>`: one of the benchmarks (bench/<benchmark>.ts, e.g.
// `subscriptions`) on an earlier commit and on this working tree, in one session, interleaved
// (base, head, head, base, …), so both see the same machine and the same drift in its load.
//
// The earlier commit (BENCH_BASE, required) is checked out beside this tree (bench/checkouts.ts)
// with this tree's bench/ copied over it: both sides are driven by the same benchmark code, each
// runs its own product. A benchmark takes part by printing one JSON line per result with a
// `scenario` key (bench:subscriptions and bench:ledger do; `npm run bench:ledger:compare` is this
// for bench:ledger without its gateway runs); every numeric field is compared as the median over
// BENCH_ROUNDS (3) runs per side, head / base. A run that exits non-zero (bench:ledger's failed
// integrity check) stops the comparison. Other BENCH_* settings pass through.
//
// BENCH_BASE_SCRIPT=own runs the base commit's own bench/<benchmark>.ts instead, for a base
// older than the modules today's benchmark imports; a result line of its text output
// (`<scenario>: <n>/s p50 <ms> ms p99 <ms> ms {errors}`, what bench:ledger has always printed)
// counts like a JSON one.

import { cpSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { checkoutOf, interleaved, median, thisCheckout, type Checkout } from "./checkouts.ts";
import { machine, table } from "./support.ts";

const benchmark = process.argv[2];
const base = process.env["BENCH_BASE"];
if (!benchmark || !base) {
  console.error("usage: BENCH_BASE=<commit> npm run bench:compare -- <benchmark, e.g. subscriptions>");
  process.exit(2);
}
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 3);

type Row = Record<string, string | number>;

/** One run of the benchmark in `checkout`: its JSON result lines. */
function run(checkout: Checkout): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", `bench/${benchmark}.ts`], {
      cwd: checkout.root,
      env: process.env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`bench/${benchmark}.ts in ${checkout.label} exited with ${code}:\n${output.slice(-3_000)}`));
      const lines = output.split("\n");
      const json = lines
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Row)
        .filter((row) => typeof row["scenario"] === "string");
      const rows = json.length > 0 ? json : lines.flatMap(textResult);
      if (rows.length === 0)
        return reject(new Error(`bench/${benchmark}.ts printed no result line in ${checkout.label}:\n${output.slice(-3_000)}`));
      resolve(rows);
    });
  });
}

const TEXT_RESULT = /^(.+ \/ \S+): (\d+(?:\.\d+)?)\/s p50 ([\d.]+) ms p99 ([\d.]+) ms (\{.*\})$/;

/** A result printed as text by an older benchmark, as the JSON line it prints now. */
function textResult(line: string): Row[] {
  const match = TEXT_RESULT.exec(line);
  if (!match) return [];
  const errors = Object.values(JSON.parse(match[5]!) as Record<string, number>).reduce((a, b) => a + b, 0);
  return [{ scenario: match[1]!, "transfers/s": Number(match[2]), "p50 ms": Number(match[3]), "p99 ms": Number(match[4]), errors }];
}

async function main(): Promise<void> {
  const baseTree = checkoutOf(base!);
  const head = thisCheckout();
  try {
    if (process.env["BENCH_BASE_SCRIPT"] !== "own") cpSync(join(head.root, "bench"), join(baseTree.root, "bench"), { recursive: true });
    const results = new Map<string, { base: Row[]; head: Row[] }>();
    const loads: string[] = [];
    console.log(`machine: ${machine()}; bench/${benchmark}.ts; ${baseTree.label}, ${head.label}; ${rounds} rounds`);
    for (let round = 0; round < rounds; round++) {
      for (const checkout of interleaved([baseTree, head], round)) {
        const side = checkout === head ? "head" : "base";
        loads.push(os.loadavg()[0]!.toFixed(1));
        for (const row of await run(checkout)) {
          const key = String(row["scenario"]);
          if (!results.has(key)) results.set(key, { base: [], head: [] });
          results.get(key)![side].push(row);
          console.log(`round ${round + 1} ${side}: ${JSON.stringify(row)}`);
        }
      }
    }
    console.log(`\n1-minute load average before each run: ${loads.join(", ")}`);
    for (const [scenario, sides] of results) {
      const fields = Object.keys(sides.head[0] ?? {}).filter((field) => sides.head.every((row) => Number.isFinite(Number(row[field]))));
      const rows = fields.map((field) => {
        const values = (rows: Row[]) => rows.map((row) => Number(row[field]));
        const [b, h] = [median(values(sides.base)), median(values(sides.head))];
        // A figure the base does not report (an older benchmark's own script): "-", not NaN.
        const shown = (value: number) => (Number.isFinite(value) ? value : "-");
        return {
          figure: field,
          "base (median)": shown(b),
          "head (median)": h,
          "head / base": b === 0 || !Number.isFinite(b) ? "-" : (h / b).toFixed(2),
          "base runs": values(sides.base).map(shown).join(" "),
          "head runs": values(sides.head).join(" "),
        };
      });
      console.log(`\n${scenario}\n${table(rows)}`);
    }
  } finally {
    baseTree.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
