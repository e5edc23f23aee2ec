// Configuration for the Prisma 6.19 CLI (devDependency "prisma6"), used only to author migration
// SQL with `migrate diff` between schema files. Prisma 7 needs the native schema engine for that,
// which cannot be downloaded here; 6.19 ships a WebAssembly engine ("js") that works offline.
// scripts/prisma.ts copies this file next to a copy of the schema. The engine insists on a
// connection even to diff two datamodels, so it gets a throwaway in-memory PGlite.
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { defineConfig } from "prisma6/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPGlite(new PGlite()) as never,
});
