// `npm run start:subgraph -- <accounts|balances|payouts|crypto>`: one subgraph on its own port
// (ACCOUNTS_PORT … CRYPTO_PORT, default 4001..4004), against DATABASE_URL.
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { boot, exitOnStartFailure, withTracing } from "./main.ts";
import { isSubgraphName, startPlatform, stopOnSignals } from "./platform.ts";

const name = process.argv[2];
if (!isSubgraphName(name)) {
  console.error(`usage: npm run start:subgraph -- <${SUBGRAPH_NAMES.join("|")}>`);
  process.exit(64);
}
const { config, logger } = boot(`subgraph-${name}`, { allowGeneratedSecret: false });
if (!config.DATABASE_URL) {
  console.error(
    "Invalid configuration:\n  DATABASE_URL: required to run a subgraph on its own (embedded PGlite is one process; use `npm start`)",
  );
  process.exit(78);
}

const thenStopTracing = withTracing(config, logger, `moneygraph-${name}`);

startPlatform({ config, logger, subgraphs: [name], gateway: false, ephemeralSubgraphPorts: false })
  .then((platform) => {
    stopOnSignals(thenStopTracing(platform.stop), logger);
    logger.info({ url: platform.subgraphs[0]!.url }, "subgraph listening");
  })
  .catch(exitOnStartFailure(logger));
