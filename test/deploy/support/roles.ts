// What each role of the image (cmd/entrypoint.sh) needs from its environment, checked against the
// configuration itself: the environment a manifest or compose gives a process goes through
// loadConfig (subgraphs/shared/config.ts), exactly as at start-up, so a variable the schema does
// not know, a value it refuses, or a required one that is missing is found here, not in a pod.

import { randomBytes } from "node:crypto";
import { ConfigError, loadConfig, SUBGRAPH_NAMES, subgraphPort, type Config, type SubgraphName } from "../../../subgraphs/shared/config.ts";

export type Role =
  { kind: "gateway" } | { kind: "subgraph"; name: SubgraphName } | { kind: "worker" } | { kind: "migrate" } | { kind: "all-in-one" };

/** The role a container's arguments (or a compose command) start, as cmd/entrypoint.sh reads them. */
export function roleOf(args: readonly string[]): Role {
  const [role, name, ...rest] = args;
  if (role === "subgraph") {
    if (!(SUBGRAPH_NAMES as readonly string[]).includes(name ?? "") || rest.length > 0)
      throw new Error(`subgraph needs one of ${SUBGRAPH_NAMES.join(", ")}: ${args.join(" ")}`);
    return { kind: "subgraph", name: name as SubgraphName };
  }
  if (name !== undefined) throw new Error(`${role} takes no arguments: ${args.join(" ")}`);
  if (role === "gateway" || role === "worker" || role === "migrate" || role === "all-in-one") return { kind: role };
  throw new Error(`not a role of cmd/entrypoint.sh: ${args.join(" ")}`);
}

export function describeRole(role: Role): string {
  return role.kind === "subgraph" ? `subgraph ${role.name}` : role.kind;
}

/**
 * Well-formed values for the secrets, by variable: what a correctly filled secret holds, so that
 * the wiring (which secret key feeds which variable) is what gets checked.
 */
export const SAMPLE_SECRETS: Readonly<Record<string, string>> = {
  GATEWAY_SECRET: randomBytes(32).toString("hex"),
  ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
  FINGERPRINT_KEY: randomBytes(32).toString("base64"),
  DATABASE_URL: "postgresql://moneygraph:secret@postgres:5432/moneygraph",
  RATE_LIMIT_REDIS_URL: "redis://redis:6379",
  ADMIN_API_KEY: `admin_${randomBytes(16).toString("hex")}`,
};

/** The port a role listens on under this configuration (undefined: it serves no HTTP). */
export function listeningPort(role: Role, config: Config): number | undefined {
  if (role.kind === "gateway" || role.kind === "all-in-one") return config.PORT;
  if (role.kind === "subgraph") return subgraphPort(config, role.name);
  return undefined;
}

export interface EnvironmentCheck {
  readonly problems: string[];
  readonly config: Config | undefined;
}

/** Whether `env` starts `role`: loaded as the entry point loads it, then each role's own demands. */
export function checkEnvironment(role: Role, env: Readonly<Record<string, string>>): EnvironmentCheck {
  const problems: string[] = [];
  // Split processes must share one GATEWAY_SECRET (cmd/gateway.ts, cmd/subgraph.ts).
  const allowGeneratedSecret = role.kind !== "gateway" && role.kind !== "subgraph";
  let config: Config | undefined;
  try {
    config = loadConfig({ ...env }, { allowGeneratedSecret });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message.replace(/\n\s*/g, " "));
  }
  if (config) {
    // The schema keeps only the variables it knows: anything else would be silently ignored.
    for (const name of Object.keys(env)) {
      if (!(name in config)) problems.push(`${name}: not a variable of subgraphs/shared/config.ts`);
    }
    if ((role.kind === "subgraph" || role.kind === "worker") && !config.DATABASE_URL)
      problems.push("DATABASE_URL: required by cmd/subgraph.ts and cmd/worker.ts");
    if (role.kind === "subgraph" && /^(127\.|localhost$|::1$)/.test(config.SUBGRAPH_HOST)) {
      problems.push(`SUBGRAPH_HOST: ${config.SUBGRAPH_HOST} is loopback, so the gateway in another container cannot reach the subgraph`);
    }
  }
  return { problems, config };
}
