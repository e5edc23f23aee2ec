// `npm run bench:startup`: how long a process takes to start, from its TypeScript through tsx
// (`npm start`, the tests) and from the bundle `npm run build` makes (the image): the gateway and
// the balances subgraph, each started BENCH_ROUNDS times (default 5) per form, interleaved, to
// the log line that says it listens. The figures: CPU time the process spent until then (barely
// moved by the machine's load; the one to compare), wall time, and its resident memory then. Needs DATABASE_URL: the
// subgraph migrates on start, on a database of its own (created, then dropped).

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { spawnEntry, stopSpawned } from "../cmd/spawn.ts";
import { buildEntries } from "../scripts/build.ts";
import { freshDatabase, machine, processCpuMs, table } from "./support.ts";

const serverUrl = process.env["DATABASE_URL"];
if (!serverUrl) {
  console.error("bench:startup needs DATABASE_URL (a Postgres server), e.g. postgresql://postgres@127.0.0.1:5432/postgres");
  process.exit(2);
}
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 5);

const ROLES = {
  gateway: { entry: "gateway", args: [] as string[], ready: /gateway listening/ },
  "balances subgraph": { entry: "subgraph", args: ["balances"] as string[], ready: /subgraph listening/ },
} as const;

/** Resident set size in MiB, from /proc (Linux). */
const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  await buildEntries();
  const bench = await freshDatabase(serverUrl!, 2);
  const env = {
    DATABASE_URL: bench.url,
    GATEWAY_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "info",
    PORT: "0",
    BALANCES_PORT: "0",
  };
  const samples = new Map<string, { cpu: number[]; wall: number[]; rss: number[] }>();
  try {
    console.log(`machine: ${machine()}; load average ${os.loadavg()[0]!.toFixed(1)}; ${rounds} starts per role and form`);
    for (let round = 0; round < rounds; round++) {
      for (const [role, { entry, args, ready }] of Object.entries(ROLES)) {
        const forms = round % 2 === 0 ? (["tsx", "bundle"] as const) : (["bundle", "tsx"] as const);
        for (const form of forms) {
          const started = performance.now();
          const spawned = spawnEntry(form === "tsx" ? `cmd/${entry}.ts` : `dist/cmd/${entry}.js`, args, env);
          await spawned.waitFor(ready);
          const wall = performance.now() - started;
          const cpu = processCpuMs(spawned.child.pid!);
          const rss = rssMiB(spawned.child.pid!);
          await spawned.stop("SIGTERM");
          const key = `${role} / ${form}`;
          let sample = samples.get(key);
          if (!sample) samples.set(key, (sample = { cpu: [], wall: [], rss: [] }));
          sample.cpu.push(cpu);
          sample.wall.push(wall);
          sample.rss.push(rss);
        }
      }
    }
  } finally {
    await stopSpawned();
    await bench.drop();
  }
  const rows = [...samples].map(([key, { cpu, wall, rss }]) => {
    const role = key.split(" / ")[0]!;
    const tsxCpu = median(samples.get(`${role} / tsx`)!.cpu);
    return {
      start: key,
      "CPU ms (median)": Math.round(median(cpu)),
      "wall ms (median)": Math.round(median(wall)),
      "CPU vs tsx": (median(cpu) / tsxCpu).toFixed(2),
      "RSS MiB at ready (median)": Math.round(median(rss)),
    };
  });
  console.log(`\n1-minute load average at the end: ${os.loadavg()[0]!.toFixed(1)}\n\n${table(rows)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
