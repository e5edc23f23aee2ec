// The schema pipeline.
//
//   tsx scripts/schema.ts          writes schema/<subgraph>.graphql, schema/supergraph.graphql
//                                  (composed with @apollo/composition) and schema/api.graphql
//   tsx scripts/schema.ts --check  fails if any of those files is stale
//
// Composition errors fail both. The gateway serves the checked-in supergraph; clients and
// codegen read api.graphql.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { printSubgraphSchema } from "@apollo/subgraph";
import { parse, printSchema } from "graphql";
import { SUBGRAPHS } from "../subgraphs/index.ts";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config.ts";
import { buildSubgraph } from "../subgraphs/shared/subgraph.ts";

const schemaDir = fileURLToPath(new URL("../schema/", import.meta.url));

/** Placeholder routing URLs: the gateway always routes by subgraph name to configured URLs. */
const routingUrl = (name: string) => `http://${name}.subgraph.internal/graphql`;

export async function generateSchemaFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const services = [];
  for (const name of SUBGRAPH_NAMES) {
    const sdl = printSubgraphSchema(await buildSubgraph(SUBGRAPHS[name]));
    files.set(`${name}.graphql`, sdl);
    services.push({ name, url: routingUrl(name), typeDefs: parse(sdl) });
  }
  const composed = composeServices(services);
  if (composed.errors) {
    throw new Error(`Composition failed:\n${composed.errors.map((error) => `  ${error.message}`).join("\n")}`);
  }
  files.set("supergraph.graphql", composed.supergraphSdl);
  files.set("api.graphql", `${printSchema(composed.schema.toAPISchema().toGraphQLJSSchema())}\n`);
  return files;
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const files = await generateSchemaFiles();
  const stale: string[] = [];
  for (const [name, text] of files) {
    const path = join(schemaDir, name);
    if (check) {
      let current = "";
      try {
        current = readFileSync(path, "utf8");
      } catch {
        // a missing file is stale
      }
      if (current !== text) stale.push(`schema/${name}`);
    } else {
      writeFileSync(path, text);
    }
  }
  if (stale.length > 0) {
    console.error(`Stale generated schema files (run \`npm run schema\`): ${stale.join(", ")}`);
    process.exit(1);
  }
  console.log(check ? "schema/ is current" : `wrote ${[...files.keys()].map((name) => `schema/${name}`).join(", ")}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
