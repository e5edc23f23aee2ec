// `npm run db:migrate`: apply pending migrations to DATABASE_URL (or the embedded database in
// DATA_DIR) without starting anything. Processes also migrate on start; this is for deploys.
import { openMigratedDatabase } from "../cmd/platform.ts";
import { boot } from "../cmd/main.ts";

const { config, logger } = boot("migrate", { allowGeneratedSecret: true });
const db = await openMigratedDatabase(config, logger);
await db.close();
logger.info("database is up to date");
