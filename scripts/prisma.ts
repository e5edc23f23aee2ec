// Prisma tooling that works offline on these machines.
//
//   tsx scripts/prisma.ts generate          prisma generate (Prisma 7), no engine download
//   tsx scripts/prisma.ts migration <name>  writes prisma/migrations/<ts>_<name>/migration.sql
//                                           with the DDL from the schema at git HEAD to now
//   tsx scripts/prisma.ts sql-from-empty    prints the DDL of the whole current schema
//
// Prisma 7's CLI first tries to download the native schema engine for every command; `generate`
// never uses it, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips the
// download. Authoring migrations needs a schema engine: Prisma 6.19 ships one as WebAssembly
// (the "prisma6" devDependency), which diffs two schema files with no database.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const schemaDir = join(root, "prisma/schema");
const anyFile = fileURLToPath(import.meta.url);
const engineEnv = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: anyFile, PRISMA_QUERY_ENGINE_LIBRARY: anyFile };

function generate(): void {
  execFileSync(process.execPath, [join(root, "node_modules/prisma/build/index.js"), "generate"], {
    cwd: root,
    env: { ...engineEnv, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: "inherit",
  });
}

/** Prisma 6 requires a `url` in the datasource block, which Prisma 7 forbids: add one in a copy. */
function prisma6SchemaCopy(files: Record<string, string>): string {
  // Inside the project, so that the copied prisma6.config.ts resolves its imports.
  mkdirSync(join(root, "node_modules/.cache"), { recursive: true });
  const dir = mkdtempSync(join(root, "node_modules/.cache/mg-schema-"));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(
      join(dir, name),
      text.replace(/provider\s*=\s*"postgresql"/, 'provider = "postgresql"\n  url = "postgresql://unused@127.0.0.1:1/unused"'),
    );
  }
  return dir;
}

function currentSchemaFiles(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(schemaDir)
      .filter((name) => name.endsWith(".prisma"))
      .map((name) => [name, readFileSync(join(schemaDir, name), "utf8")]),
  );
}

function schemaFilesAt(ref: string): Record<string, string> {
  let names: string[];
  try {
    names = execFileSync("git", ["ls-tree", "--name-only", `${ref}:prisma/schema`], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .split("\n")
      .filter((name) => name.endsWith(".prisma"));
  } catch {
    return {};
  }
  return Object.fromEntries(
    names.map((name) => [name, execFileSync("git", ["show", `${ref}:prisma/schema/${name}`], { cwd: root, encoding: "utf8" })]),
  );
}

function diff(from: Record<string, string> | "empty", to: Record<string, string>): string {
  const toDir = prisma6SchemaCopy(to);
  const fromDir = from === "empty" || Object.keys(from).length === 0 ? undefined : prisma6SchemaCopy(from);
  const config = join(toDir, "prisma6.config.ts");
  writeFileSync(config, readFileSync(join(root, "prisma/prisma6.config.ts"), "utf8"));
  try {
    return execFileSync(
      process.execPath,
      [
        join(root, "node_modules/prisma6/build/index.js"),
        "migrate",
        "diff",
        "--config",
        config,
        ...(fromDir ? ["--from-schema-datamodel", fromDir] : ["--from-empty"]),
        "--to-schema-datamodel",
        toDir,
        "--script",
      ],
      { cwd: root, env: engineEnv, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
  } finally {
    rmSync(toDir, { recursive: true, force: true });
    if (fromDir) rmSync(fromDir, { recursive: true, force: true });
  }
}

export function sqlFromEmpty(): string {
  return diff("empty", currentSchemaFiles());
}

function newMigration(name: string, ref: string): void {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("migration name: lower-case letters, digits and _");
  const script = diff(schemaFilesAt(ref), currentSchemaFiles());
  if (!/\S/.test(script.replace(/^--.*$/gm, "")) || script.includes("-- This is an empty migration.")) {
    console.log("The schema has no changes since", ref);
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = join(root, "prisma/migrations", `${stamp}_${name}`);
  if (existsSync(dir)) throw new Error(`${dir} exists`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "migration.sql"), script);
  console.log(`wrote ${dir}/migration.sql; read it, then commit it with the schema change`);
}

const [command, arg, ref] = process.argv.slice(2);
if (command === "generate") generate();
else if (command === "migration" && arg) newMigration(arg, ref ?? "HEAD");
else if (command === "sql-from-empty") process.stdout.write(sqlFromEmpty());
else if (command !== undefined || import.meta.url === `file://${process.argv[1]}`) {
  console.error("usage: tsx scripts/prisma.ts generate | migration <name> [git-ref] | sql-from-empty");
  process.exit(2);
}
