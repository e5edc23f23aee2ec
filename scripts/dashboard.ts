// `npm run build:dashboard`: builds the reference dashboard (dashboard/, Vite) into DASHBOARD_DIR's
// default, dist/dashboard/. `npm start` runs this with --if-stale first (a build only when the
// output is missing or older than dashboard/), so the gateway it starts serves a dashboard as new
// as its sources with no extra command. Vite is a development dependency: the image builds the
// dashboard with the bundles (npm run build) and ships it built.

import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_DASHBOARD_DIR } from "../subgraphs/shared/config.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCES = join(ROOT, "dashboard");
const CONFIG = join(SOURCES, "vite.config.ts");

/** Builds the dashboard into `outDir` (default: the config's, dist/dashboard). */
export async function buildDashboard(outDir?: string): Promise<void> {
  const { build } = await import("vite");
  // Absolute: Vite would resolve a relative outDir against its root, dashboard/.
  await build({ configFile: CONFIG, ...(outDir ? { build: { outDir: resolve(outDir), emptyOutDir: true } } : {}) });
}

function newest(directory: string): number {
  let latest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds the dashboard into `outDir` unless its index.html is newer than every source file. */
export async function buildDashboardIfStale(outDir: string): Promise<"built" | "current"> {
  let builtAt = 0;
  try {
    builtAt = statSync(join(outDir, "index.html")).mtimeMs;
  } catch {
    // not built yet
  }
  if (builtAt > newest(SOURCES)) return "current";
  await buildDashboard(outDir);
  return "built";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--if-stale")) {
    // `npm start`: DASHBOARD_DIR as the gateway will read it (relative to the working directory).
    const outDir = process.env["DASHBOARD_DIR"] ?? DEFAULT_DASHBOARD_DIR;
    if ((await buildDashboardIfStale(outDir)) === "built") console.log(`dashboard built into ${outDir}`);
  } else {
    await buildDashboard();
  }
}
