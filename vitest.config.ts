// Tests by kind (docs/testing.md): pure unit tests; integration tests against a real database;
// end-to-end tests that start the real gateway and subgraphs and talk HTTP to them.
//
// Database: embedded PGlite by default (one migrated in-memory instance per worker, shared by
// the files that worker runs: `isolate: false` keeps it alive between files instead of paying
// PGlite's start-up per file). With DATABASE_URL set, global-setup creates a fresh database on
// that server, migrates it, and every suite runs there.

import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// graphql 16 ships both index.mjs ("module") and index.js ("main") without an exports map.
// Node (and so type-graphql and Apollo) load index.js; Vite would pick index.mjs for our own
// files, and two copies of graphql break its `instanceof` checks. Pin our files to Node's copy.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");

const usesPostgres = Boolean(process.env["DATABASE_URL"]);

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    // type-graphql's decorators need the metadata polyfill before any class is defined.
    setupFiles: ["reflect-metadata"],
    reporters: ["default"],
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "subgraphs/**/*.test.ts",
            "gateway/**/*.test.ts",
            "scripts/**/*.test.ts",
            "test/deploy/**/*.test.ts",
            "dashboard/src/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "**/*.int-postgres.test.ts", "**/node_modules/**"],
          // Generous, for a busy machine: a few unit tests start a tool (ESLint's first lint loads
          // its parser and plugins: 2-6 s while the other suites run beside it; kubectl).
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: [
            "subgraphs/**/*.int.test.ts",
            "prisma/**/*.int.test.ts",
            ...(usesPostgres ? ["subgraphs/**/*.int-postgres.test.ts"] : []),
          ],
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/**/*.e2e.test.ts", ...(usesPostgres ? ["test/**/*.e2e-postgres.test.ts"] : [])],
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
