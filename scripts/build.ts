// `npm run build`: the processes' entry points compiled to JavaScript bundles in dist/, for the
// image and any deployment: `node --enable-source-maps dist/cmd/gateway.js` starts in about a fifth
// of the CPU time of `node --import tsx cmd/gateway.ts` (docs/deploy.md, "Why bundles"), because
// tsx resolves and transforms each of our ~300 modules through Node's loader hooks, on a thread
// of their own, at every start. Development (`npm start`, the tests) runs the TypeScript as it
// is; test/built-entries.e2e.test.ts starts the bundles and talks to them.
//
// esbuild bundles our code and the packages it imports: Node then reads a few large files
// instead of resolving and compiling some 2,000 modules (the gateway's runtime alone brings 51
// nested copies of @graphql-tools/utils), which more than halves the gateway's start-up again.
// Packages that load files of their own at run time stay imports, resolved from node_modules
// (EXTERNAL_PACKAGES). Code splitting keeps the lazy imports lazy (a role loads only what it
// runs). Each file's `import.meta.url` is rewritten to that file's own location, so paths read
// relative to it (the supergraph, the migrations, the ledger's SQL, the Prisma client's
// directory) resolve as they do from the source. Usage: tsx scripts/build.ts [--outdir DIR]
// (DIR inside the repository, so that packages still resolve from its node_modules).

import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { buildDashboard } from "./dashboard.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** What a deployment starts: every role of cmd/entrypoint.sh, and the preload cmd/spawn.ts adds. */
export const ENTRY_POINTS = [
  "cmd/all-in-one.ts",
  "cmd/gateway.ts",
  "cmd/subgraph.ts",
  "cmd/worker.ts",
  "cmd/exit-with-parent.ts",
  "scripts/migrate.ts",
];

/**
 * Packages the bundles import from node_modules rather than contain: each reads files of its own
 * at run time (a native addon, WebAssembly, its package.json through __dirname, a worker file),
 * which a bundle would not carry along.
 */
export const EXTERNAL_PACKAGES = [
  "@graphql-hive/router-query-planner", // the Rust query planner, a native addon
  "@prisma/*", // the query compiler (WebAssembly) and the driver adapter
  "prisma",
  "@electric-sql/pglite", // Postgres as WebAssembly, and its data files
  "pg-native", // pg's optional native binding (required in a try, not installed)
  "ioredis", // reads its package.json through __dirname
  "pino", // its transports start worker files by path
  "thread-stream",
];

/** Packages whose bundled form misbehaves, and what the bundles hold instead (scripts/bundle/). */
export const BUNDLE_SUBSTITUTES: Readonly<Record<string, string>> = {
  "@apollo/utils.createhash": resolve(ROOT, "scripts/bundle/apollo-createhash.ts"),
};

function substitutes(): Plugin {
  const names = Object.keys(BUNDLE_SUBSTITUTES).map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return {
    name: "substitutes",
    setup(esbuild) {
      esbuild.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (args) => ({ path: BUNDLE_SUBSTITUTES[args.path]! }));
    },
  };
}

/** `import.meta.url` of every file of ours becomes its source location, relative to the bundle that holds it. */
function sourceLocations(outdir: string): Plugin {
  return {
    name: "source-import-meta-url",
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes("/node_modules/")) return undefined;
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta.url")) return undefined;
        // Bundles and chunks all sit one level under outdir (cmd/, scripts/, chunks/).
        const fromBundle = relative(resolve(outdir, "cmd"), args.path);
        return {
          contents: source.replaceAll("import.meta.url", `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`),
          loader: "ts",
        };
      });
    },
  };
}

export async function buildEntries(outdir = resolve(ROOT, "dist")): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outbase: ROOT,
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL_PACKAGES,
    // CommonJS packages inside an ES module bundle call require() (Node's built-ins among them).
    banner: { js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);' },
    // Stack traces map to file and line; the sources themselves are in the repository.
    sourcemap: "linked",
    sourcesContent: false,
    // type-graphql's metadata comes from explicit type functions (@Field(() => X)): esbuild,
    // like tsx, emits no decorator metadata.
    tsconfig: resolve(ROOT, "tsconfig.json"),
    plugins: [substitutes(), sourceLocations(outdir)],
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--outdir");
  const outdir = resolve(ROOT, at > 0 ? process.argv[at + 1]! : "dist");
  const started = Date.now();
  await buildEntries(outdir);
  // The reference dashboard the gateway serves (DASHBOARD_DIR, default dist/dashboard).
  await buildDashboard(resolve(outdir, "dashboard"));
  console.log(
    `built ${ENTRY_POINTS.length} entry points and the dashboard into ${relative(ROOT, outdir) || "."} in ${Date.now() - started} ms`,
  );
}
