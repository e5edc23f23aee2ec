// Where a process spent its CPU, by package: the V8 CPU profiles (`node --cpu-prof`) in a
// directory, self time summed by where each sampled function lives (a package under
// node_modules, Node's own modules, our top-level folders, the garbage collector; a builtin's
// time goes to the package that called it), as a share of the time not idle. `node --import tsx bench/profile.ts <directory>`
// prints it for any directory of profiles; the benchmarks print it with BENCH_CPU_PROFILE.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import WebSocket from "ws";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "../cmd/spawn.ts";
import { table } from "./support.ts";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a process started with `--inspect=127.0.0.1:0` says its inspector listens. */
export const INSPECTOR_LISTENING = /Debugger listening on (ws:\/\/\S+)/;

/**
 * Runs `work` with the CPU profiler of the process whose inspector is at `inspectorUrl` on, and
 * writes the profile to `file` (a .cpuprofile, for Chrome DevTools or speedscope too).
 */
export async function profiled<T>(inspectorUrl: string, file: string, work: () => Promise<T>): Promise<T> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.on("message", (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send("Profiler.enable");
    await send("Profiler.setSamplingInterval", { interval: 500 });
    await send("Profiler.start");
    const result = await work();
    const { profile } = (await send("Profiler.stop")) as { profile: unknown };
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    return result;
  } finally {
    socket.close();
  }
}

/** The bucket a function's time goes to. */
export function packageOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === "(garbage collector)") return "garbage collection";
    if (functionName === "(idle)") return "(idle)";
    if (functionName === "(program)") return "V8 and native (program)";
    return "V8 builtins and native";
  }
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + "/node_modules/".length).split("/");
    return scope!.startsWith("@") ? `${scope}/${name}` : scope!;
  }
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  if (path.startsWith(ROOT)) return `ours: ${path.slice(ROOT.length).split("/")[0]}/`;
  return path;
}

/** Self time in ms by package, over every profile in `directory`. */
export function selfTimeByPackage(directory: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(directory, file), "utf8")) as CpuProfile;
    // A builtin or native function (no URL: JSON.stringify, a socket's writev) counts for the
    // package that called it, when there is one: the question is whose work it was.
    const parent = new Map<number, ProfileNode>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
    const owner = (node: ProfileNode): string => {
      const own = packageOf(node.callFrame.url, node.callFrame.functionName);
      if (own !== "V8 builtins and native") return own;
      for (let caller = parent.get(node.id); caller; caller = parent.get(caller.id))
        if (caller.callFrame.url) return packageOf(caller.callFrame.url, caller.callFrame.functionName);
      return own;
    };
    const bucket = new Map(profile.nodes.map((node) => [node.id, owner(node)]));
    profile.samples.forEach((id, index) => {
      const name = bucket.get(id) ?? "?";
      totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1_000);
    });
  }
  return totals;
}

/** The table: the `top` biggest packages and the rest together, as shares of the busy time. */
export function profileByPackage(directory: string, top = 16): string {
  const totals = selfTimeByPackage(directory);
  totals.delete("(idle)");
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  const sorted = [...totals].sort((a, b) => b[1] - a[1]);
  const rest = sorted.slice(top).reduce((sum, [, ms]) => sum + ms, 0);
  const rows = [...sorted.slice(0, top), ...(rest > 0 ? [["everything else", rest] as [string, number]] : [])].map(([name, ms]) => ({
    where: name,
    "self ms": Math.round(ms),
    share: `${((100 * ms) / busy).toFixed(1)} %`,
  }));
  return `${table(rows)}\n(busy ${Math.round(busy)} ms in all)`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const directory = process.argv[2];
  if (!directory) {
    console.error("usage: node --import tsx bench/profile.ts <directory of .cpuprofile files>");
    process.exit(2);
  }
  console.log(profileByPackage(directory));
}
