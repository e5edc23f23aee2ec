// `npm run ledger:verify [-- --tenant acct_… | --account acct_…]`: the ledger integrity check
// against DATABASE_URL (or the embedded database in DATA_DIR). Exits 1 on any problem.
import { parseArgs } from "node:util";
import { boot } from "../cmd/main.ts";
import { openMigratedDatabase } from "../cmd/platform.ts";
import { verifyLedger } from "../subgraphs/ledger/api.ts";

const { values } = parseArgs({ options: { tenant: { type: "string" }, account: { type: "string" } } });
const { config, logger } = boot("ledger-verify", { allowGeneratedSecret: true });
const db = await openMigratedDatabase(config, logger);
try {
  const report = await verifyLedger(db.sql, { tenantId: values.tenant, accountId: values.account });
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await db.close();
}
