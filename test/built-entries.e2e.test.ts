// The bundles `npm run build` makes are what the image runs (cmd/entrypoint.sh): built here into a
// directory of their own and started as real processes, without tsx, they must migrate, serve
// the API end to end and stop cleanly, reading their files (supergraph, migrations, the ledger's
// SQL) from where their source is.

import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createRequire, isBuiltin } from "node:module";
import { BUNDLE_SUBSTITUTES, buildEntries, ENTRY_POINTS, EXTERNAL_PACKAGES, ROOT } from "../scripts/build.ts";
import { spawnEntry, stopSpawned, viewerThrough } from "./support/processes.ts";

// Inside the repository, so that the bundles' package imports resolve from its node_modules.
const outdir = join(ROOT, "node_modules", ".cache", `moneygraph-dist-${randomBytes(4).toString("hex")}`);
const bundle = (entry: string) => relative(ROOT, join(outdir, entry.replace(/\.ts$/, ".js")));
const dataDir = mkdtempSync(join(tmpdir(), "moneygraph-built-"));

beforeAll(() => buildEntries(outdir), 120_000);
afterEach(stopSpawned);
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the bundles of npm run build", () => {
  it("holds one bundle per entry point, with no TypeScript left to load at run time", () => {
    for (const entry of ENTRY_POINTS) {
      const file = join(ROOT, bundle(entry));
      expect(existsSync(file), file).toBe(true);
      // Our own modules are inside; only packages (and node: builtins) are imported.
      expect(readFileSync(file, "utf8")).not.toMatch(/from\s+["'][^"']+\.ts["']/);
    }
  });

  it("carries the packages too, importing only Node's built-ins and the packages left out on purpose", () => {
    const files = readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".js"));
    const imported = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(outdir, file), "utf8");
      for (const [, specifier] of text.matchAll(/(?:^import\s[^;]*?from\s*|\bimport\()"([^".][^"]*)"/gm)) imported.add(specifier!);
    }
    const packageOf = (specifier: string) =>
      specifier
        .split("/")
        .slice(0, specifier.startsWith("@") ? 2 : 1)
        .join("/");
    const leftOut = (name: string) =>
      EXTERNAL_PACKAGES.some((pattern) => (pattern.endsWith("/*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
    const packages = [...imported].filter((specifier) => !isBuiltin(specifier));
    const strays = packages.filter((specifier) => !leftOut(packageOf(specifier)));
    expect(strays).toEqual([]);
    // The gateway's runtime is inside, not imported (it is what made start-up slow).
    expect([...imported].some((specifier) => specifier.startsWith("@graphql-hive/gateway-runtime"))).toBe(false);
    // And what is imported resolves from the repository's node_modules, as in the image.
    const require = createRequire(join(ROOT, "package.json"));
    for (const specifier of packages) expect(() => require.resolve(specifier), specifier).not.toThrow();
  });

  it("hash operations with Node's crypto: Apollo's createHash is substituted, not bundled with its JavaScript SHA-256", () => {
    const files = readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".js"));
    const texts = files.map((file) => readFileSync(join(outdir, file), "utf8"));
    // esbuild heads each module it bundles with a comment naming its path.
    expect(texts.filter((text) => /^\/\/ node_modules\/(?:.*\/)?sha\.js\//m.test(text))).toEqual([]);
    expect(texts.some((text) => text.includes("// scripts/bundle/apollo-createhash.ts"))).toBe(true);
    expect(Object.keys(BUNDLE_SUBSTITUTES)).toContain("@apollo/utils.createhash");
  });

  it("migrate, then the all-in-one process serves the API and stops cleanly on Ctrl-C", async () => {
    const env = { PORT: "0", DATA_DIR: dataDir, DATABASE_URL: inject("databaseUrl") };
    const migrate = spawnEntry(bundle("scripts/migrate.ts"), [], { ...env, LOG_LEVEL: "info" });
    await migrate.waitFor(/database is up to date/);
    expect(await migrate.exit()).toBe(0);

    const platform = spawnEntry(bundle("cmd/all-in-one.ts"), [], env);
    const [, key] = await platform.waitFor(/Demo secret key\s+(sk_test_\w+)/);
    const port = Number((await platform.waitFor(/Explorer\s+http:\/\/localhost:(\d+)\/graphql/))[1]);
    const viewer = (await viewerThrough(port, key!)) as { data?: { viewer: { displayName: string; type: string } } };
    expect(viewer.data?.viewer).toMatchObject({ displayName: "Demo Platform", type: "PLATFORM" });
    // Started without tsx: nothing of it in the process's arguments.
    expect(platform.child.spawnargs.join(" ")).not.toContain("tsx");
    expect(await platform.stop("SIGINT")).toBe(0);
  }, 600_000);
});
