// Prisma 7 CLI configuration. Only `prisma generate` runs here (see scripts/prisma-generate.sh):
// migrations are plain SQL applied by our own migrator (prisma/migrate.ts), because the native
// schema engine cannot be downloaded on these machines.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema",
  migrations: { path: "prisma/migrations" },
});
