// compose.yaml, checked offline (no container engine here): its services are Postgres, Redis and
// one per role; each process's environment, with compose's interpolation applied, starts its role
// under the real configuration schema; secrets come only from the caller's environment and compose
// refuses to start without them; the gateway reaches each subgraph by service name on the port it
// listens on; health checks ask /readyz on that port; start-up waits for the migration.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../cmd/spawn.ts";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config.ts";
import { readYamlDocuments } from "./support/manifests.ts";
import { checkEnvironment, describeRole, listeningPort, roleOf, SAMPLE_SECRETS, type Role } from "./support/roles.ts";

interface Service {
  image: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

const [compose] = readYamlDocuments(join(ROOT, "compose.yaml")) as [{ services: Record<string, Service> }];
const services = compose.services;
const IMAGE = "moneygraph:local";

/**
 * Compose's interpolation: `${NAME:?message}` and `${NAME}` take the caller's value (here, a
 * well-formed sample), `${NAME:-default}` its default when unset (as here: only the secrets are
 * supplied). Also says which names must come from the caller.
 */
function interpolate(value: string, required: Set<string>): string {
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind: string | undefined, rest: string) => {
    if (kind === "-") return rest;
    if (kind === "?") required.add(name);
    const sample = SAMPLE_SECRETS[name];
    if (sample === undefined) throw new Error(`\${${name}}: no sample value for it in test/deploy/support/roles.ts`);
    return sample;
  });
}

interface Process {
  readonly service: string;
  readonly role: Role;
  readonly env: Record<string, string>;
  readonly required: Set<string>;
}

const processes: Process[] = Object.entries(services)
  .filter(([, service]) => service.image === IMAGE)
  .map(([name, service]) => {
    const required = new Set<string>();
    const env = Object.fromEntries(
      Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), required)]),
    );
    return { service: name, role: roleOf(service.command ?? []), env, required };
  });

function portOf(process: Process): number | undefined {
  const { config, problems } = checkEnvironment(process.role, process.env);
  if (!config) throw new Error(problems.join("; "));
  return listeningPort(process.role, config);
}

describe("compose.yaml", () => {
  it("runs Postgres, Redis and each role once, every process from the one image", () => {
    expect(Object.keys(services).sort()).toEqual(["postgres", "redis", "migrate", ...SUBGRAPH_NAMES, "worker", "gateway"].sort());
    expect(processes.map((process) => `${process.service}: ${describeRole(process.role)}`).sort()).toEqual(
      ["migrate: migrate", "worker: worker", "gateway: gateway", ...SUBGRAPH_NAMES.map((name) => `${name}: subgraph ${name}`)].sort(),
    );
    for (const name of ["postgres", "redis"]) expect(services[name]!.image, name).toMatch(/:\d[\w.-]*$/);
  });

  it("gives each process an environment that starts its role: known variables, valid values, the required ones set", () => {
    const problems = processes.flatMap((process) =>
      checkEnvironment(process.role, process.env).problems.map((problem) => `${process.service}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it("takes the secrets from the caller and refuses to start without them; every process shares them", () => {
    for (const process of processes) {
      for (const secret of ["GATEWAY_SECRET", "ENCRYPTION_KEYS", "FINGERPRINT_KEY"])
        expect([...process.required], process.service).toContain(secret);
    }
    const gateway = processes.find((process) => process.role.kind === "gateway")!;
    expect([...gateway.required]).toContain("ADMIN_API_KEY");
    // Redis shares the gateway's rate limits, should it ever run twice.
    expect(gateway.env["RATE_LIMIT_REDIS_URL"]).toBe("redis://redis:6379");
  });

  it("routes the gateway to each subgraph's service on the port that subgraph listens on", () => {
    const gateway = processes.find((process) => process.role.kind === "gateway")!;
    const { config } = checkEnvironment(gateway.role, gateway.env);
    for (const name of SUBGRAPH_NAMES) {
      const url = new URL(config!.subgraphUrls[name]);
      const target = processes.find((process) => process.service === url.hostname);
      expect(target?.role, name).toEqual({ kind: "subgraph", name });
      expect(portOf(target!), name).toBe(Number(url.port));
    }
    expect(services["gateway"]!.ports).toEqual([`${portOf(gateway)}:${portOf(gateway)}`]);
  });

  it("checks health on /readyz at each server's own port, and starts nothing before the migration", () => {
    for (const process of processes) {
      const port = portOf(process);
      const service = services[process.service]!;
      if (port === undefined) {
        expect(service.healthcheck, process.service).toBeUndefined();
      } else {
        expect(service.healthcheck?.test.join(" "), process.service).toContain(`http://127.0.0.1:${port}/readyz`);
      }
      if (process.role.kind === "subgraph" || process.role.kind === "worker") {
        expect(service.depends_on?.["migrate"], process.service).toEqual({ condition: "service_completed_successfully" });
      }
    }
    expect(Object.keys(services["gateway"]!.depends_on ?? {}).sort()).toEqual(["redis", ...SUBGRAPH_NAMES].sort());
    for (const name of SUBGRAPH_NAMES) expect(services["gateway"]!.depends_on![name]).toEqual({ condition: "service_healthy" });
  });
});
