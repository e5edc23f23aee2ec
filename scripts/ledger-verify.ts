// `npm run ledger:verify [-- --tenant acct_… | --account acct_…] [-- --json]`: the ledger
// integrity check against DATABASE_URL (or the embedded database in DATA_DIR): the
// transactions, balances and events, every hash chain (each chain's first broken entry named)
// and the checkpoints (digests recomputed for the whole ledger; recorded heads checked in any
// scope). Prints what it checked and each problem; exits 1 on any problem.
import { parseArgs } from "node:util";
import { boot } from "../cmd/main.ts";
import { openMigratedDatabase } from "../cmd/platform.ts";
import { verifyLedger } from "../subgraphs/ledger/api.ts";

const { values } = parseArgs({ options: { tenant: { type: "string" }, account: { type: "string" }, json: { type: "boolean" } } });
const { config, logger } = boot("ledger-verify", { allowGeneratedSecret: true });
const db = await openMigratedDatabase(config, logger);
try {
  const report = await verifyLedger(db.sql, { tenantId: values.tenant, accountId: values.account });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const what = values.account ? `account ${values.account}` : values.tenant ? `tenant ${values.tenant}` : "the whole ledger";
    console.log(
      `checked ${what}: ${report.transactionsChecked} transactions, ${report.ledgerAccountsChecked} ledger accounts, ` +
        `${report.chainsChecked} chains, ${report.entriesChecked} entries, ${report.checkpointsChecked} checkpoints`,
    );
    for (const problem of report.problems) console.log(`problem: ${problem}`);
    console.log(report.ok ? "ok" : `${report.problems.length} problem(s)`);
  }
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await db.close();
}
