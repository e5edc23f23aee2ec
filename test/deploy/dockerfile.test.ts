// The image, checked without a container engine (none runs where this is tested): the Dockerfile
// lints clean (dockerfile-utils plus this project's rules, each of which is shown to fire), every
// file a stage copies exists and reaches the build context, the runtime stage holds every file
// its entry points import and no devDependency, the build stage compiles them (npm run build) and
// the runtime stage holds the bundles and the files they read, and cmd/entrypoint.sh starts each
// role with the bundle of its npm script's entry file.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../cmd/spawn.ts";
import { ENTRY_POINTS } from "../../scripts/build.ts";
import { dockerignore, lintDiagnostics, parseDockerfile, ruleProblems, type Instruction } from "./support/dockerfile.ts";

const DOCKERFILE = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const ignored = dockerignore(readFileSync(join(ROOT, ".dockerignore"), "utf8"));
const { stages } = parseDockerfile(DOCKERFILE);
const build = stages[0]!;
const runtime = stages.at(-1)!;
const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** A COPY's sources and destination, and the stage it copies from (undefined: the build context). */
function copyOf(instruction: Instruction): { from: string | undefined; sources: string[]; destination: string } {
  const from = instruction.args.find((arg) => arg.startsWith("--from="))?.slice("--from=".length);
  const paths = instruction.args.filter((arg) => !arg.startsWith("--"));
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

const copies = (instructions: readonly Instruction[]) => instructions.filter((instruction) => instruction.keyword === "COPY").map(copyOf);

function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  // A missing source is the "copies only files that exist" test's to report.
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => filesUnder(join(path, name)));
}

/** The repository files a stage copies from the build context, where they land under /app. */
const contextFiles = (instructions: readonly Instruction[]) =>
  new Set(
    copies(instructions)
      .filter((copy) => !copy.from)
      .flatMap((copy) => copy.sources.flatMap(filesUnder))
      .filter((path) => !ignored(path)),
  );
const buildFiles = contextFiles(build.instructions);
const runtimeFiles = contextFiles(runtime.instructions);
/** What the runtime stage takes from the build stage (made there). */
const builtPrefixes = copies(runtime.instructions)
  .filter((copy) => copy.from)
  .map((copy) => copy.destination);

/** The roles of cmd/entrypoint.sh and the command each runs. */
function entrypointRoles(): Map<string, string> {
  const script = readFileSync(join(ROOT, "cmd/entrypoint.sh"), "utf8");
  const roles = new Map<string, string>();
  for (const match of script.matchAll(/^\s*([a-z-]+)\) exec (.+?) "\$@" ;;$/gm)) roles.set(match[1]!, match[2]!);
  return roles;
}

const ROLE_SCRIPTS: Readonly<Record<string, string>> = {
  gateway: "start:gateway",
  subgraph: "start:subgraph",
  worker: "start:worker",
  migrate: "db:migrate",
  "all-in-one": "start",
};

/** Module specifiers a TypeScript file imports at run time (type-only imports are erased). */
function runtimeImports(path: string): string[] {
  const text = readFileSync(join(ROOT, path), "utf8");
  const specifiers: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?["']([^"']+)["']/gm)) {
    if (!match[2]) specifiers.push(match[3]!);
  }
  for (const match of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

describe("Dockerfile", () => {
  it("lints clean: the Docker language server's validator and this project's rules", () => {
    expect(lintDiagnostics(DOCKERFILE)).toEqual([]);
    expect(ruleProblems(DOCKERFILE)).toEqual([]);
  });

  it("the rules fire on what they forbid", () => {
    const good = 'FROM node:20.20.2-bookworm-slim\n# probes: set by the orchestrator\nUSER 1000\nENTRYPOINT ["node"]\n';
    expect(ruleProblems(good)).toEqual([]);
    expect(ruleProblems(good.replace("node:20.20.2-bookworm-slim", "node:latest"))).toEqual([expect.stringMatching(/pin the base image/)]);
    expect(ruleProblems(good.replace("node:20.20.2-bookworm-slim", "node"))).toEqual([expect.stringMatching(/pin the base image/)]);
    expect(ruleProblems(`ARG IMAGE=node:lts\n${good.replace("node:20.20.2-bookworm-slim", "${IMAGE}")}`)).toEqual([
      expect.stringMatching(/pin the base image/),
    ]);
    expect(ruleProblems(good.replace("node:20.20.2-bookworm-slim", `node@sha256:${"a".repeat(64)}`))).toEqual([]);
    expect(ruleProblems(good.replace("USER 1000\n", ""))).toEqual([expect.stringMatching(/no USER/)]);
    expect(ruleProblems(good.replace("USER 1000", "USER root"))).toEqual([expect.stringMatching(/is root/)]);
    expect(ruleProblems(good.replace("USER 1000", "USER 0:0"))).toEqual([expect.stringMatching(/is root/)]);
    expect(ruleProblems(`${good}ADD https://example.com/x.tgz /x\n`)).toEqual([expect.stringMatching(/use COPY/)]);
    expect(ruleProblems(good.replace('ENTRYPOINT ["node"]', "ENTRYPOINT node"))).toEqual([expect.stringMatching(/shell form/)]);
    expect(ruleProblems(`${good}RUN npm install\n`)).toEqual([expect.stringMatching(/npm ci/)]);
    expect(ruleProblems(good.replace("# probes: set by the orchestrator\n", ""))).toEqual([expect.stringMatching(/HEALTHCHECK/)]);
    expect(ruleProblems(`${good.replace("# probes: set by the orchestrator\n", "")}HEALTHCHECK CMD ["true"]\n`)).toEqual([]);
    // And the validator's own: an instruction that does not exist.
    expect(lintDiagnostics(`${good}RUNN true\n`)).toEqual([expect.stringMatching(/line 5/)]);
  });

  it("copies only files that exist and reach the build context", () => {
    const stageNames = new Set(stages.map((stage) => stage.name));
    for (const stage of stages) {
      for (const copy of copies(stage.instructions)) {
        if (copy.from) {
          expect(stageNames, `COPY --from=${copy.from}`).toContain(copy.from);
          continue;
        }
        for (const source of copy.sources) {
          expect(existsSync(join(ROOT, source)), `COPY ${source}: no such file`).toBe(true);
          expect(ignored(source), `COPY ${source}: excluded by .dockerignore`).toBe(false);
        }
        // Files keep their repository paths under WORKDIR, so relative imports resolve as here.
        if (copy.destination !== "./") expect(copy.sources, `COPY … ${copy.destination}`).toEqual([copy.destination]);
      }
    }
    expect(
      stages
        .flatMap((stage) => stage.instructions)
        .filter((instruction) => instruction.keyword === "WORKDIR")
        .map((w) => w.args[0]),
    ).toEqual(["/app", "/app"]);
    // .dockerignore keeps secrets, local data and host dependencies out of the context.
    for (const path of [".env", ".data/pglite", "node_modules/x", "prisma/generated/client.ts", "cmd/x.test.ts"])
      expect(ignored(path), path).toBe(true);
  });

  it("each role of the entry point runs the bundle of its npm script's entry file, which the build makes", () => {
    const roles = entrypointRoles();
    expect([...roles.keys()].sort()).toEqual(Object.keys(ROLE_SCRIPTS).sort());
    for (const [role, command] of roles) {
      const script = packageJson.scripts[ROLE_SCRIPTS[role]!]!;
      const entry = script.split(" ").at(-1)!;
      // The same V8 flags as the npm script gives node (those before its --import tsx).
      const flags = /node ((?:--[\w-]+=\S+ )*)--import tsx/.exec(script)?.[1] ?? "";
      expect(command, role).toBe(`node ${flags}--enable-source-maps dist/${entry.replace(/\.ts$/, ".js")}`);
      expect(ENTRY_POINTS, `${role}: npm run build does not compile ${entry}`).toContain(entry);
    }
    expect(
      build.instructions.some((instruction) => instruction.keyword === "RUN" && instruction.args.join(" ").includes("npm run build")),
    ).toBe(true);
    expect(builtPrefixes).toContain("dist");
    expect(runtime.instructions.find((instruction) => instruction.keyword === "ENTRYPOINT")?.args.join(" ")).toBe(
      '["sh", "/app/cmd/entrypoint.sh"]',
    );
    expect(runtimeFiles.has("cmd/entrypoint.sh")).toBe(true);
  });

  it("the build stage holds every file the entry points import, none a devDependency; the runtime stage what they read", () => {
    const entries = Object.values(ROLE_SCRIPTS).map((script) => packageJson.scripts[script]!.split(" ").at(-1)!);
    const seen = new Set<string>();
    const missing: string[] = [];
    const devPackages = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      if (!buildFiles.has(path)) missing.push(path);
      for (const specifier of runtimeImports(path)) {
        if (specifier.startsWith(".")) {
          const target = normalize(join(dirname(path), specifier));
          // Generated in the build stage (npm run prisma:generate), before the bundles are built.
          if (target.startsWith("prisma/generated/")) continue;
          visit(target);
        } else if (
          !specifier.startsWith("node:") &&
          !builtinModules.includes(specifier) &&
          !packageJson.dependencies[packageName(specifier)]
        ) {
          devPackages.add(`${packageName(specifier)} (from ${path})`);
        }
      }
    };
    for (const entry of entries) visit(entry);
    expect(missing).toEqual([]);
    expect([...devPackages]).toEqual([]);
    // The build stage deletes the lockfile's devOptional packages: none may be a runtime dependency.
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { devOptional?: boolean }>;
    };
    expect(Object.keys(packageJson.dependencies).filter((name) => lock.packages[`node_modules/${name}`]?.devOptional)).toEqual([]);
    // Read from disk at run time, where their source was: the supergraph (gateway/runtime.ts), the
    // migrations and the ledger's SQL (prisma/migrate.ts), the Prisma client.
    expect(runtimeFiles.has("schema/supergraph.graphql")).toBe(true);
    expect([...runtimeFiles].some((path) => path.startsWith("prisma/migrations/") && path.endsWith("/migration.sql"))).toBe(true);
    expect(runtimeFiles.has("subgraphs/ledger/sql/ledger_post.sql")).toBe(true);
    expect(builtPrefixes).toContain("prisma/generated");
    expect(seen.size).toBeGreaterThan(100);
  });
});
