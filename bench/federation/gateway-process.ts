// One gateway of the federation benchmark in a process of its own (bench/gateway.ts starts them):
// BENCH_GATEWAY is `apollo` (stock @apollo/gateway on @apollo/server, as the public benchmark runs
// it), `hive-js` / `hive-rust` (Hive Gateway's runtime as the public benchmark configures it, with
// the pure-JS or the Rust query planner), or `ours` (this project's gateway, every plugin on).
// DEDUPLICATE_INFLIGHT_QUERIES=false turns off inbound in-flight deduplication (Hive's and ours);
// UPSTREAM_DEDUP=false, stock Hive's sharing of identical subgraph requests (keyed on the body alone;
// ours keys it on the caller too, and DEDUPLICATE_SUBGRAPH_REQUESTS=false turns it off).
// Prints `listening <port>` once it serves.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { createGatewayRuntime } from "@graphql-hive/gateway-runtime";
import { unifiedGraphHandler } from "@graphql-hive/router-runtime";
import { readFileSync } from "node:fs";
import { startGateway } from "../../gateway/server.ts";
import { loadConfig } from "../../subgraphs/shared/config.ts";
import { createLogger } from "../../subgraphs/shared/logger.ts";

const kind = process.env["BENCH_GATEWAY"];
const supergraphPath = process.env["SUPERGRAPH_PATH"]!;

async function main(): Promise<number> {
  const supergraphSdl = readFileSync(supergraphPath, "utf8");
  if (kind === "apollo") {
    const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
    return Number(new URL(url).port);
  }
  if (kind === "hive-js" || kind === "hive-rust") {
    const runtime = createGatewayRuntime({
      supergraph: supergraphSdl,
      ...(kind === "hive-rust" ? { unifiedGraphHandler } : {}),
      // As the public benchmark configures Hive Gateway, unless BENCH_DEDUP=false.
      inboundInflightRequestDeduplication: process.env["DEDUPLICATE_INFLIGHT_QUERIES"] !== "false",
      // Stock Hive Gateway shares identical subgraph requests in flight across callers; ours
      // only within one (gateway/transport/http.ts says why). UPSTREAM_DEDUP=false turns it off.
      ...(process.env["UPSTREAM_DEDUP"] === "false"
        ? { transportEntries: { "*.http": { options: { deduplicateInflightRequests: false } } } }
        : {}),
      logging: false,
    });
    const server = createServer(runtime);
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }
  if (kind === "ours") {
    const config = loadConfig(process.env, { allowGeneratedSecret: false });
    const gateway = await startGateway({
      config,
      logger: createLogger(config.LOG_LEVEL, "bench-gateway"),
      port: 0,
      authenticationUrl: process.env["AUTH_URL"]!,
    });
    return gateway.port;
  }
  throw new Error(`unknown BENCH_GATEWAY ${kind}`);
}

main().then(
  (port) => console.log(`listening ${port}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

// A clean exit on a signal (so that `--cpu-prof` writes its profile).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
