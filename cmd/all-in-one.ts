// `npm start`: the whole platform in one process. Embedded PGlite under DATA_DIR unless
// DATABASE_URL is set; migrates, seeds a demo platform on first run, serves the four subgraphs
// on loopback (the gateway calls them in-process; their ports serve subscriptions, health and
// metrics) and the gateway on PORT.

import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { seedDemoPlatform } from "../subgraphs/accounts/api.ts";
import { createTopup } from "../subgraphs/balances/api.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { boot, exitOnStartFailure, withTracing } from "./main.ts";
import { startPlatform, stopOnSignals } from "./platform.ts";

const { config, logger } = boot("moneygraph", { allowGeneratedSecret: true });
const thenStopTracing = withTracing(config, logger, "moneygraph");

async function main(): Promise<void> {
  const started = Date.now();
  const platform = await startPlatform({ config, logger, subgraphs: SUBGRAPH_NAMES, gateway: true, ephemeralSubgraphPorts: true });
  stopOnSignals(thenStopTracing(platform.stop), logger);
  const gateway = platform.gateway!;
  const storage = config.DATABASE_URL ? "Postgres (DATABASE_URL)" : `embedded PGlite in ${config.DATA_DIR}/`;
  const lines = [
    "",
    `  moneygraph is running (${storage}), ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    "",
    `  Explorer         ${gateway.url}   (GraphiQL; Apollo Sandbox one link away)`,
    `  Dashboard        ${gateway.url.replace(/\/graphql$/, "/dashboard/")}   (sign in with a secret key)`,
  ];
  if (config.SEED_DEMO === "true") {
    const demo = await seedDemoPlatform(platform.deps!, config.DATA_DIR);
    if (demo.created) {
      // Something to look at: $10,000.00 arriving (pending, then available after SETTLEMENT_DELAY_MS).
      const principal = { kind: "platform", tenantId: demo.accountId, livemode: false, keyId: "demo-seed" } as const;
      await createTopup(
        platform.deps!,
        principal,
        { accountId: demo.accountId, amount: 1_000_000n, currency: parseCurrency("USD")!, description: "Demo funds" },
        "demo-seed",
      );
    }
    // The explorer opens with this key in its Authorization header (never in production).
    if (config.NODE_ENV === "development") gateway.prefillExplorerKey(demo.secretKey);
    const query = JSON.stringify({ query: "{ viewer { id displayName type balances { currency available { amount } } } }" });
    lines.push(
      `  Demo secret key  ${demo.secretKey}${demo.created ? "   (new demo platform)" : ""}`,
      "",
      "  Try it:",
      `  curl -s ${gateway.url} -H 'content-type: application/json' \\`,
      `    -H 'authorization: Bearer ${demo.secretKey}' \\`,
      `    -d '${query}'`,
    );
  }
  if (!config.ADMIN_API_KEY) lines.push("", "  ADMIN_API_KEY is not set: createPlatform is disabled.");
  lines.push("", "  Ctrl-C stops.", "");
  logger.flush();
  console.log(lines.join("\n"));
}

main().catch(exitOnStartFailure(logger));
