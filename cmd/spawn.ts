// The entry points as child processes, started exactly as the npm scripts start them (or as the
// image starts their bundles, given dist/…/x.js), their output read, stopped with signals: for
// the run-mode tests and the benchmarks.
//
// Every process spawned here is tracked until it exits: a test file that spawns calls
// `afterEach(stopSpawned)`, which stops whatever a test left running however it ended (failed,
// timed out). And each one stops by itself when its parent is gone, however the parent ended
// (exit-with-parent.ts): even a test worker killed with a signal leaves nothing running.

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The exit code, once the process exits by itself. */
  exit(): Promise<number | null>;
}

const alive = new Set<Spawned>();

let scripts: Record<string, string> | undefined;

/**
 * The V8 flags the npm script running `entry` (or the source of a bundle, dist/cmd/x.js) gives
 * node, e.g. a gateway's --max-semi-space-size: package.json is their one place.
 */
export function scriptFlags(entry: string): string[] {
  scripts ??= (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const source = entry.replace(/^(?:.*\/)?((?:cmd|scripts)\/[^/]+)\.js$/, "$1.ts");
  for (const script of Object.values(scripts)) {
    const match = /node ((?:--[\w-]+=\S+ )*)--import tsx (\S+)$/.exec(script);
    if (match?.[2] === source) return match[1]!.trim().split(" ").filter(Boolean);
  }
  return [];
}
const EXIT_WITH_PARENT = new URL("exit-with-parent.ts", import.meta.url).href;

/** Stops every process spawned here that is still running (SIGTERM, then SIGKILL after 10 s). */
export async function stopSpawned(): Promise<void> {
  await Promise.all(
    [...alive].map(async (spawned) => {
      const killer = setTimeout(() => spawned.child.kill("SIGKILL"), 10_000);
      try {
        await spawned.stop("SIGTERM");
      } finally {
        clearTimeout(killer);
      }
    }),
  );
}

/** Whether a process with this pid exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function spawnEntry(
  entry: string,
  args: string[],
  env: Record<string, string | undefined>,
  nodeArgs: readonly string[] = [],
  /** Where `entry` is, relative to: another checkout of the project, for a benchmark comparing two. */
  cwd: string = ROOT,
): Spawned {
  // A bundle of `npm run build` (<outdir>/cmd/x.js, <outdir>/scripts/x.js) runs without tsx, with
  // the preload's bundle, <outdir>/cmd/exit-with-parent.js.
  const flags = scriptFlags(entry);
  const loader = entry.endsWith(".js")
    ? ["--enable-source-maps", "--import", pathToFileURL(join(cwd, dirname(dirname(entry)), "cmd", "exit-with-parent.js")).href]
    : ["--import", "tsx", "--import", EXIT_WITH_PARENT];
  const child = spawn(process.execPath, [...flags, ...nodeArgs, ...loader, entry, ...args], {
    cwd,
    // GATEWAY_PLANNER: the suite's run on the JS planner starts its gateway processes on it too.
    env: {
      PATH: process.env["PATH"],
      HOME: process.env["HOME"],
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      GATEWAY_PLANNER: process.env["GATEWAY_PLANNER"],
      ...env,
    },
    // The IPC channel only tells the child when this process is gone (exit-with-parent.ts).
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  // Nor may it keep this process alive.
  child.channel?.unref();
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const spawned: Spawned = {
    child,
    output: () => text,
    // Generous: on a busy machine a cold start (tsx compiling, migrations) can take a minute.
    async waitFor(pattern, timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(text);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${pattern}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    exit: () => exited,
    async stop(signal = "SIGINT") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  alive.add(spawned);
  void exited.then(() => alive.delete(spawned));
  return spawned;
}
