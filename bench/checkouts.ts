// Two commits in one benchmark run. A figure from one run on a shared machine says little by
// itself (the same commit measures 2–3× apart from one day to the next); the ratio of two commits
// measured in the same run, rounds interleaved, is the figure to report. `checkoutOf(rev)` puts
// an earlier commit in a temporary git worktree beside this tree: sharing this tree's
// node_modules when its lockfile is the same (with a Prisma client generated from its own
// schema), else with its own `npm ci` (a minute or two).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { ROOT } from "../cmd/spawn.ts";

export interface Checkout {
  /** What the tables call it: "base 1a2b3c4" or "head 5d6e7f8 (+ uncommitted changes)". */
  readonly label: string;
  /** The directory to run its entry points from. */
  readonly root: string;
  /** Settings its processes run with (BENCH_VARIANT's), over the benchmark's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Removes the worktree (nothing, for this tree). */
  remove(): void;
}

const git = (args: string[], cwd = ROOT): string => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

function sameLockfile(commit: string): boolean {
  try {
    git(["diff", "--quiet", commit, "--", "package-lock.json"]);
    return true;
  } catch {
    return false;
  }
}

/** This working tree, as it is (uncommitted changes included). */
export function thisCheckout(): Checkout {
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
  return { label: `head ${git(["rev-parse", "--short", "HEAD"])}${dirty ? " (+ uncommitted changes)" : ""}`, root: ROOT, remove() {} };
}

/** `rev` checked out in a temporary worktree, ready to run (remove() when done, in a finally). */
export function checkoutOf(rev: string): Checkout {
  const commit = git(["rev-parse", "--short", `${rev}^{commit}`]);
  const root = mkdtempSync(join(os.tmpdir(), "moneygraph-bench-base-"));
  rmSync(root, { recursive: true });
  git(["worktree", "add", "--detach", root, commit]);
  const remove = () => {
    try {
      git(["worktree", "remove", "--force", root]);
    } catch {
      rmSync(root, { recursive: true, force: true });
      git(["worktree", "prune"]);
    }
  };
  try {
    if (sameLockfile(commit)) {
      symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
      execFileSync(process.execPath, ["--import", "tsx", "scripts/prisma.ts", "generate"], { cwd: root, stdio: "ignore" });
    } else {
      console.log(`${commit} has other dependencies: npm ci in its worktree`);
      execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: root, stdio: "ignore" });
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { label: `base ${commit}`, root, remove };
}

/**
 * BENCH_BASE, if set, checked out beside this tree: [base, head]. Else BENCH_VARIANT
 * (`NAME=VALUE;NAME=VALUE`), if set: this tree with those settings as the base, and as it is:
 * the price of one setting, in one run. Else [head].
 */
export function checkoutsToCompare(base = process.env["BENCH_BASE"], variant = process.env["BENCH_VARIANT"]): Checkout[] {
  if (base) return [checkoutOf(base), thisCheckout()];
  if (variant) {
    const head = thisCheckout();
    const env = Object.fromEntries(variant.split(";").map((setting) => setting.split(/=(.*)/s).slice(0, 2) as [string, string]));
    return [{ ...head, label: `base ${head.label.slice("head ".length)} with ${variant}`, env }, head];
  }
  return [thisCheckout()];
}

/** Round `round`'s order: base, head, then head, base, … so neither always runs on a warmer machine. */
export function interleaved<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/** The middle value; of an even count, the mean of the two middle ones (without float noise: 13.025, not 13.024999999999999). */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Number(((sorted[middle - 1]! + sorted[middle]!) / 2).toPrecision(12));
};
