// `npm run ledger:verify [-- --tenant acct_… | --account acct_…] [--receipt lcp_…:digest] [--json]`:
// the ledger integrity check against DATABASE_URL (or the embedded database in DATA_DIR): the
// transactions, balances and events, every hash chain (each chain's first broken entry named)
// and the checkpoints (digests recomputed for the whole ledger; recorded heads checked in any
// scope); with --receipt (repeatable), that each kept checkpoint still has the kept digest.
// Prints what it checked and each problem; exits 1 on any problem.
import { parseArgs } from "node:util";
import { boot } from "../cmd/main.ts";
import { openMigratedDatabase } from "../cmd/platform.ts";
import { checkReceipt, verifyLedger } from "../subgraphs/ledger/api.ts";

const { values } = parseArgs({
  options: {
    tenant: { type: "string" },
    account: { type: "string" },
    receipt: { type: "string", multiple: true },
    json: { type: "boolean" },
  },
});
const receipts = (values.receipt ?? []).map((text) => {
  const [checkpointId = "", digest = ""] = text.split(":");
  if (!/^lcp_[0-9A-Za-z]+$/.test(checkpointId) || !/^[0-9a-fA-F]{64}$/.test(digest)) {
    console.error(`--receipt ${text}: expected lcp_…:<digest, 64 hex digits>`);
    process.exit(2);
  }
  return { checkpointId, digest };
});
const { config, logger } = boot("ledger-verify", { allowGeneratedSecret: true });
const db = await openMigratedDatabase(config, logger);
try {
  const verified = await verifyLedger(db.sql, { tenantId: values.tenant, accountId: values.account });
  const receiptProblems = (await Promise.all(receipts.map((receipt) => checkReceipt(db.sql, receipt)))).flat();
  const report = {
    ...verified,
    receiptsChecked: receipts.length,
    ok: verified.ok && receiptProblems.length === 0,
    problems: [...verified.problems, ...receiptProblems],
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const what = values.account ? `account ${values.account}` : values.tenant ? `tenant ${values.tenant}` : "the whole ledger";
    console.log(
      `checked ${what}: ${report.transactionsChecked} transactions, ${report.ledgerAccountsChecked} ledger accounts, ` +
        `${report.chainsChecked} chains, ${report.entriesChecked} entries, ${report.checkpointsChecked} checkpoints` +
        (receipts.length > 0 ? `, ${receipts.length} receipts` : ""),
    );
    for (const problem of report.problems) console.log(`problem: ${problem}`);
    console.log(report.ok ? "ok" : `${report.problems.length} problem(s)`);
  }
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await db.close();
}
