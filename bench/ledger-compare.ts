// `npm run bench:ledger:compare`: bench:ledger's ledger-module and use-case runs (post() and
// createTransfer(), spread and hot) on an earlier commit and on this working tree, in one
// session, interleaved (base, head, head, base, …) so both see the same machine and the same
// drift in its load. The figure to report is the ratio head / base of the medians.
//
// BENCH_BASE (required): the earlier commit, e.g. BENCH_BASE=19dc727. It is checked out in a
// temporary git worktree (bench/checkouts.ts) and runs this tree's bench/ledger.ts (so both
// sides are driven by the same code). BENCH_ROUNDS
// (default 3) pairs of runs; BENCH_SECONDS and BENCH_WRITERS pass through. Needs DATABASE_URL.

import { spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { checkoutOf, interleaved, median, thisCheckout } from "./checkouts.ts";
import { machine, table } from "./support.ts";

const base = process.env["BENCH_BASE"];
if (!base || !process.env["DATABASE_URL"]) {
  console.error(
    "bench:ledger:compare needs BENCH_BASE (a commit) and DATABASE_URL, e.g. BENCH_BASE=19dc727 DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres",
  );
  process.exit(2);
}
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 3);

const LINE = /^(.+?) \/ (spread|hot): (\d+(?:\.\d+)?)\/s p50 ([\d.]+) ms p99 ([\d.]+) ms/;

interface Figure {
  readonly key: string;
  readonly perSecond: number;
}

function run(cwd: string): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/ledger.ts"], {
      cwd,
      env: { ...process.env, BENCH_GATEWAY: "false" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`bench/ledger.ts in ${cwd} exited with ${code}:\n${output}`));
      const figures = output
        .split("\n")
        .map((line) => LINE.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => ({ key: `${match[1]} / ${match[2]}`, perSecond: Number(match[3]) }));
      if (!/integrity: ok/.test(output)) return reject(new Error(`the ledger did not verify after the run in ${cwd}:\n${output}`));
      resolve(figures);
    });
  });
}

async function main(): Promise<void> {
  const baseTree = checkoutOf(base!);
  const head = thisCheckout();
  try {
    for (const file of ["bench/ledger.ts", "bench/support.ts"]) copyFileSync(join(head.root, file), join(baseTree.root, file));
    const sides = [
      { side: "base", root: baseTree.root },
      { side: "head", root: head.root },
    ] as const;
    const results = new Map<string, { base: number[]; head: number[] }>();
    const loads: string[] = [];
    console.log(`machine: ${machine()}; ${baseTree.label}, ${head.label}; ${rounds} rounds`);
    for (let round = 0; round < rounds; round++) {
      for (const { side, root } of interleaved(sides, round)) {
        loads.push(os.loadavg()[0]!.toFixed(1));
        const figures = await run(root);
        for (const figure of figures) {
          let entry = results.get(figure.key);
          if (!entry) results.set(figure.key, (entry = { base: [], head: [] }));
          entry[side].push(figure.perSecond);
        }
        console.log(`round ${round + 1} ${side}: ${figures.map((f) => `${f.key} ${f.perSecond}/s`).join("; ")}`);
      }
    }
    const rows = [...results].map(([key, { base: b, head: h }]) => ({
      run: key,
      "base /s (median)": median(b),
      "head /s (median)": median(h),
      "head / base": (median(h) / median(b)).toFixed(2),
      "base runs": b.join(" "),
      "head runs": h.join(" "),
    }));
    console.log(`\n1-minute load average before each run: ${loads.join(", ")}\n\n${table(rows)}`);
  } finally {
    baseTree.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
