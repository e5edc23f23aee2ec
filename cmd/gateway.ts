// `npm run start:gateway`: the gateway alone, routing to subgraphs at ACCOUNTS_URL,
// BALANCES_URL, PAYOUTS_URL and CRYPTO_URL (default http://127.0.0.1:4001..4004/graphql).
import { boot, exitOnStartFailure, withTracing } from "./main.ts";
import { startPlatform, stopOnSignals } from "./platform.ts";

const { config, logger } = boot("gateway", { allowGeneratedSecret: false });
const thenStopTracing = withTracing(config, logger, "moneygraph-gateway");

startPlatform({ config, logger, subgraphs: [], gateway: true, ephemeralSubgraphPorts: false })
  .then((platform) => {
    stopOnSignals(thenStopTracing(platform.stop), logger);
    logger.info({ url: platform.gateway!.url, subgraphs: config.subgraphUrls }, "gateway listening");
  })
  .catch(exitOnStartFailure(logger));
