// The image, checked without a container engine (none runs where this is tested): the Dockerfile
// lints clean (dockerfile-utils plus this project's rules, each of which is shown to fire), every
// file a stage copies exists and reaches the build context, the runtime stage holds every file
// its entry points import and no devDependency, and cmd/entrypoint.sh starts each role with
// exactly its npm script's command.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../cmd/spawn.ts";
import { dockerignore, lintDiagnostics, parseDockerfile, ruleProblems, type Instruction } from "./support/dockerfile.ts";

const DOCKERFILE = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const ignored = dockerignore(readFileSync(join(ROOT, ".dockerignore"), "utf8"));
const { stages } = parseDockerfile(DOCKERFILE);
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

/** The repository files the runtime stage copies from the build context, where they land under /app. */
const runtimeFiles = new Set(
  copies(runtime.instructions)
    .filter((copy) => !copy.from)
    .flatMap((copy) => copy.sources.flatMap(filesUnder))
    .filter((path) => !ignored(path)),
);
/** What the runtime stage takes from the build stage (generated there). */
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

  it("each role of the entry point runs exactly its npm script, on files the image holds", () => {
    const roles = entrypointRoles();
    expect([...roles.keys()].sort()).toEqual(Object.keys(ROLE_SCRIPTS).sort());
    for (const [role, command] of roles) {
      expect(command, role).toBe(packageJson.scripts[ROLE_SCRIPTS[role]!]);
      const file = command.split(" ").at(-1)!;
      expect(runtimeFiles.has(file), `${role}: ${file} is not in the runtime stage`).toBe(true);
    }
    expect(runtime.instructions.find((instruction) => instruction.keyword === "ENTRYPOINT")?.args.join(" ")).toBe(
      '["sh", "/app/cmd/entrypoint.sh"]',
    );
    expect(runtimeFiles.has("cmd/entrypoint.sh")).toBe(true);
    // tsx, on PATH for `migrate` and loaded by the others, is a runtime dependency.
    expect(packageJson.dependencies["tsx"]).toBeDefined();
  });

  it("the runtime stage holds every file its entry points import, and no devDependency", () => {
    const entries = [...entrypointRoles().values()].map((command) => command.split(" ").at(-1)!);
    const seen = new Set<string>();
    const missing: string[] = [];
    const devPackages = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      if (!runtimeFiles.has(path)) missing.push(path);
      for (const specifier of runtimeImports(path)) {
        if (specifier.startsWith(".")) {
          const target = normalize(join(dirname(path), specifier));
          if (builtPrefixes.some((prefix) => target.startsWith(`${prefix}/`))) continue;
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
    // Read from disk at run time: the supergraph (gateway/runtime.ts) and the migrations (prisma/migrate.ts).
    expect(runtimeFiles.has("schema/supergraph.graphql")).toBe(true);
    expect([...runtimeFiles].some((path) => path.startsWith("prisma/migrations/") && path.endsWith("/migration.sql"))).toBe(true);
    expect(seen.size).toBeGreaterThan(100);
  });
});
