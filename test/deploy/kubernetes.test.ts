// The Kubernetes manifests (deploy/), checked offline, no cluster: every file parses and every
// object validates against the API schemas; the overlays render; each container's environment
// starts its role under the real configuration schema; probes, ports and metrics annotations match
// what the code serves; every HTTP workload has a Service, an autoscaler and a disruption budget;
// shutdown fits the probes; the network policies let only the gateway reach the subgraphs and only
// the platform reach Postgres.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../cmd/spawn.ts";
import { METRICS_PATH } from "../../subgraphs/shared/metrics.ts";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config.ts";
import {
  applyJsonPatch,
  containersOf,
  imageName,
  kustomize,
  podSpecOf,
  readYamlDocuments,
  schemaProblems,
  type Container,
  type K8sObject,
} from "./support/manifests.ts";
import { checkEnvironment, describeRole, listeningPort, roleOf, SAMPLE_SECRETS, type Role } from "./support/roles.ts";

const DEPLOY = join(ROOT, "deploy");
const PRODUCTION = join(DEPLOY, "overlays/production");
const PRODUCTION_MIGRATE = join(PRODUCTION, "migrate");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const production = kustomize(PRODUCTION);
const productionMigrate = kustomize(PRODUCTION_MIGRATE);
const everything = [...production, ...productionMigrate];
const [secretExample] = readYamlDocuments(join(DEPLOY, "secret.example.yaml")) as [K8sObject & { stringData: Record<string, string> }];

const byKind = (objects: readonly K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);
const named = (objects: readonly K8sObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);

/** The environment a container gets: its ConfigMaps, its values, its secrets (as well-formed samples). */
function environmentOf(container: Container, objects: readonly K8sObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) throw new Error(`${container.name}: envFrom a Secret hides which variables it sets; name them`);
    const map = named(objects, "ConfigMap", source.configMapRef!.name);
    if (!map) throw new Error(`${container.name}: no ConfigMap ${source.configMapRef!.name}`);
    Object.assign(env, map["data"]);
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    if (secret) {
      if (SAMPLE_SECRETS[secret.key] === undefined)
        throw new Error(`${container.name}: ${variable.name} from a secret key with no sample (${secret.key})`);
      env[variable.name] = SAMPLE_SECRETS[secret.key]!;
    } else if (variable.valueFrom) {
      throw new Error(`${container.name}: ${variable.name}: only values and secretKeyRef are checked here`);
    } else {
      env[variable.name] = variable.value ?? "";
    }
  }
  return env;
}

interface Workload {
  readonly object: K8sObject;
  readonly container: Container;
  readonly role: Role;
}

const workloads: Workload[] = everything.flatMap((object) =>
  containersOf(object).map((container) => ({ object, container, role: roleOf(container.args ?? []) })),
);
const httpWorkloads = workloads.filter((workload) => workload.role.kind === "gateway" || workload.role.kind === "subgraph");

function portOf(workload: Workload): number {
  const { config, problems } = checkEnvironment(workload.role, environmentOf(workload.container, everything));
  if (!config) throw new Error(problems.join("; "));
  return listeningPort(workload.role, config)!;
}

/** Whether the objects' NetworkPolicies let a pod with `from` labels reach one with `to` labels on `port` (one namespace). */
function allowed(policies: readonly K8sObject[], from: Record<string, string>, to: Record<string, string>, port: number): boolean {
  const matches = (selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>) =>
    Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown };
  type Spec = {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: string[];
    ingress?: { from?: Peer[]; ports?: { port: number }[] }[];
  };
  const selecting = policies
    .map((policy) => policy["spec"] as Spec)
    .filter((spec) => spec.policyTypes.includes("Ingress") && matches(spec.podSelector, to));
  if (selecting.length === 0) return true;
  return selecting.some((spec) =>
    (spec.ingress ?? []).some(
      (rule) =>
        (!rule.ports || rule.ports.some((each) => each.port === port)) &&
        (!rule.from ||
          rule.from.some(
            (peer) => peer.podSelector !== undefined && peer.namespaceSelector === undefined && matches(peer.podSelector, from),
          )),
    ),
  );
}

describe("Kubernetes manifests", () => {
  it("every file under deploy/ parses, and every object in it validates against the API schemas", () => {
    const files = yamlFiles(DEPLOY);
    expect(files.length).toBeGreaterThanOrEqual(10);
    const problems = files.flatMap((file) =>
      (readYamlDocuments(file) as K8sObject[])
        .filter((object) => object.kind !== "Kustomization")
        .flatMap((object) => schemaProblems(object).map((problem) => `${relative(ROOT, file)}: ${problem}`)),
    );
    expect(problems).toEqual([]);
  });

  it("the overlays render, every rendered object validates, in one namespace, on one pinned image", () => {
    expect(everything.flatMap(schemaProblems)).toEqual([]);
    const kinds = new Set(production.map((object) => object.kind));
    for (const kind of [
      "Namespace",
      "ConfigMap",
      "Deployment",
      "Service",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "NetworkPolicy",
    ])
      expect(kinds, kind).toContain(kind);
    expect(byKind(productionMigrate, "Job").map((job) => job.metadata.name)).toEqual(["moneygraph-migrate"]);
    const namespace = byKind(production, "Namespace")[0]!.metadata.name;
    for (const object of everything.filter((each) => each.kind !== "Namespace"))
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(namespace);
    // The migration runs the very image the rollout deploys.
    const images = new Set(workloads.map((workload) => workload.container.image));
    expect(images.size).toBe(1);
    const [image] = images;
    expect(image).toMatch(/(:(?!latest$)[\w.-]+|@sha256:[0-9a-f]{64})$/);
  });

  it("the offline rendering refuses what it cannot render, and patches as RFC 6902 says", () => {
    const document = { spec: { replicas: 1, list: [1, 2] } };
    applyJsonPatch(document, [
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "add", path: "/spec/list/-", value: 3 },
      { op: "remove", path: "/spec/list/0" },
    ]);
    expect(document).toEqual({ spec: { replicas: 3, list: [2, 3] } });
    expect(() => applyJsonPatch(document, [{ op: "replace", path: "/spec/missing", value: 1 }])).toThrow(/does not exist/);
    expect(imageName("registry.example.com:5000/moneygraph:0.1.0")).toBe("registry.example.com:5000/moneygraph");
  });

  it.skipIf(!hasKubectl())("renders as kubectl's kustomize does (where kubectl is installed)", () => {
    for (const dir of [PRODUCTION, PRODUCTION_MIGRATE]) {
      const rendered = parseAllDocuments(execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" })) as unknown as {
        toJS(): K8sObject;
      }[];
      const key = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;
      const sorted = (objects: K8sObject[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sorted(kustomize(dir))).toEqual(sorted(rendered.map((document) => document.toJS())));
    }
  });

  it("runs every role once: the gateway, each subgraph, the worker, and the migration as a Job", () => {
    const roles = workloads.map((workload) => `${workload.object.kind} ${describeRole(workload.role)}`).sort();
    expect(roles).toEqual(
      ["Deployment gateway", "Deployment worker", ...SUBGRAPH_NAMES.map((name) => `Deployment subgraph ${name}`), "Job migrate"].sort(),
    );
  });

  it("gives each container an environment that starts its role: known variables, valid values, the required ones set", () => {
    const problems = workloads.flatMap((workload) =>
      checkEnvironment(workload.role, environmentOf(workload.container, everything)).problems.map(
        (problem) => `${describeRole(workload.role)}: ${problem}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  it("reads secrets only from moneygraph-secrets, whose template names exactly the keys used", () => {
    const refs = workloads.flatMap((workload) =>
      (workload.container.env ?? []).flatMap((variable) => (variable.valueFrom?.secretKeyRef ? [variable.valueFrom.secretKeyRef] : [])),
    );
    expect(new Set(refs.map((ref) => ref.name))).toEqual(new Set([secretExample.metadata.name]));
    expect(new Set(refs.map((ref) => ref.key))).toEqual(new Set(Object.keys(secretExample.stringData)));
    for (const key of ["GATEWAY_SECRET", "ENCRYPTION_KEYS", "FINGERPRINT_KEY", "DATABASE_URL"])
      expect(refs.map((ref) => ref.key)).toContain(key);
    // The template's placeholders cannot start anything: the configuration refuses each.
    for (const [key, placeholder] of Object.entries(secretExample.stringData)) {
      const role: Role = key === "DATABASE_URL" ? { kind: "subgraph", name: "accounts" } : { kind: "gateway" };
      const env = { ...SAMPLE_SECRETS, NODE_ENV: "production", [key]: placeholder };
      expect(checkEnvironment(role, env).problems, key).not.toEqual([]);
    }
  });

  it("probes /healthz and /readyz, and scrapes /metrics, on the port the code listens on", () => {
    // The paths as the code serves them.
    expect(readFileSync(join(ROOT, "subgraphs/shared/server.ts"), "utf8")).toMatch(/app\.get\("\/healthz"[\s\S]*app\.get\("\/readyz"/);
    expect(readFileSync(join(ROOT, "gateway/plugins/http-edge.ts"), "utf8")).toMatch(
      /pathname === "\/healthz"[\s\S]*pathname === "\/readyz"/,
    );
    expect(METRICS_PATH).toBe("/metrics");
    expect(httpWorkloads).toHaveLength(1 + SUBGRAPH_NAMES.length);
    for (const workload of httpWorkloads) {
      const { container, object } = workload;
      const port = portOf(workload);
      const what = describeRole(workload.role);
      expect(container.ports, what).toEqual([{ name: "http", containerPort: port }]);
      for (const [probe, path] of [
        ["startupProbe", "/healthz"],
        ["livenessProbe", "/healthz"],
        ["readinessProbe", "/readyz"],
      ] as const) {
        expect(container[probe]?.httpGet, `${what} ${probe}`).toEqual({ path, port: "http" });
      }
      const annotations = (object["spec"] as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata
        .annotations;
      expect(annotations, what).toEqual({
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(port),
        "prometheus.io/path": METRICS_PATH,
      });
    }
    // The worker serves no HTTP: nothing to probe or scrape.
    const worker = workloads.find((workload) => workload.role.kind === "worker")!;
    expect([worker.container.ports, worker.container.livenessProbe, worker.container.readinessProbe]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("routes the gateway to each subgraph through a Service that selects that subgraph's pods on its port", () => {
    const gateway = httpWorkloads.find((workload) => workload.role.kind === "gateway")!;
    const { config } = checkEnvironment(gateway.role, environmentOf(gateway.container, everything));
    for (const name of SUBGRAPH_NAMES) {
      const url = new URL(config!.subgraphUrls[name]);
      const service = named(production, "Service", url.hostname);
      expect(service, `${name}: no Service ${url.hostname}`).toBeDefined();
      const spec = service!["spec"] as { selector: Record<string, string>; ports: { port: number; targetPort: string }[] };
      expect(
        spec.ports.map((each) => each.port),
        name,
      ).toContain(Number(url.port));
      const target = httpWorkloads.find((workload) => workload.role.kind === "subgraph" && workload.role.name === name)!;
      const labels = (target.object["spec"] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
      expect(
        Object.entries(spec.selector).every(([key, value]) => labels[key] === value),
        `${url.hostname} selects ${name}`,
      ).toBe(true);
      expect(portOf(target), name).toBe(Number(url.port));
    }
  });

  it("sets CPU and memory requests and limits on every container, memory above what a process of the image holds idle", () => {
    // Resident set of each role started from the image's files, idle after start-up: 314–413 MiB
    // (docs/scaling.md, "Memory per process").
    const idleMiB = 420;
    const mebibytes = (quantity: string) => Number(/^(\d+)(Mi|Gi)$/.exec(quantity)![1]) * (quantity.endsWith("Gi") ? 1024 : 1);
    for (const { container, role } of workloads) {
      for (const kind of ["requests", "limits"] as const) {
        expect(Object.keys(container.resources?.[kind] ?? {}).sort(), `${describeRole(role)} ${kind}`).toEqual(["cpu", "memory"]);
        expect(mebibytes(container.resources![kind]!["memory"]!), `${describeRole(role)} memory ${kind}`).toBeGreaterThan(idleMiB);
      }
    }
  });

  it("autoscales the gateway and every subgraph, and keeps one of each through a voluntary disruption", () => {
    for (const { object, role } of httpWorkloads) {
      const what = describeRole(role);
      const autoscaler = byKind(production, "HorizontalPodAutoscaler").find(
        (each) => (each["spec"] as { scaleTargetRef: { name: string } }).scaleTargetRef.name === object.metadata.name,
      );
      expect(autoscaler, what).toBeDefined();
      const spec = autoscaler!["spec"] as { minReplicas: number; maxReplicas: number; scaleTargetRef: { kind: string } };
      expect(spec.scaleTargetRef.kind).toBe("Deployment");
      expect(spec.minReplicas, what).toBeGreaterThanOrEqual(2);
      expect(spec.maxReplicas, what).toBeGreaterThan(spec.minReplicas);
      // The autoscaler owns the count: a replicas field would reset it at every apply.
      expect((object["spec"] as { replicas?: number }).replicas, what).toBeUndefined();
      const selector = (object["spec"] as { selector: { matchLabels: Record<string, string> } }).selector;
      const budget = byKind(production, "PodDisruptionBudget").find(
        (each) => JSON.stringify((each["spec"] as { selector: unknown }).selector) === JSON.stringify(selector),
      );
      expect((budget?.["spec"] as { minAvailable?: number } | undefined)?.minAvailable, what).toBe(1);
    }
  });

  it("stops gracefully within the probes: out of the endpoints first, then a drain that fits the grace period", () => {
    for (const { object, container, role } of httpWorkloads) {
      const what = describeRole(role);
      const pause = container.lifecycle?.preStop?.exec?.command;
      expect(pause?.[0], what).toBe("sleep");
      const pauseSeconds = Number(pause![1]);
      // The pause outlasts the readiness probe's detection (a probe that lands after SIGTERM fails: /readyz answers 503 draining).
      const readiness = container.readinessProbe!;
      expect(pauseSeconds, what).toBeGreaterThanOrEqual(readiness.periodSeconds! * readiness.failureThreshold!);
      // Drain after the pause: sockets (1 s grace), in-flight requests, the batcher's commit, the pool.
      expect(podSpecOf(object)!.terminationGracePeriodSeconds, what).toBeGreaterThanOrEqual(pauseSeconds + 30);
    }
  });

  it("runs every pod as the image's unprivileged user, read-only, with no capabilities", () => {
    const user = Number(/^USER (\d+)/m.exec(readFileSync(join(ROOT, "Dockerfile"), "utf8"))![1]);
    for (const { object, container, role } of workloads) {
      const pod = podSpecOf(object)!;
      expect(pod.securityContext, describeRole(role)).toMatchObject({ runAsNonRoot: true, runAsUser: user });
      expect(container.securityContext, describeRole(role)).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
    }
  });

  it("lets only the gateway reach the subgraphs, and only the platform reach Postgres", () => {
    const policies = byKind(production, "NetworkPolicy");
    const labelsOf = (kind: Role["kind"]) => {
      const workload = workloads.find((each) => each.role.kind === kind)!;
      return (workload.object["spec"] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    };
    const stranger = { "app.kubernetes.io/name": "something-else" };
    const postgres = { "app.kubernetes.io/name": "postgres" };
    for (const workload of httpWorkloads.filter((each) => each.role.kind === "subgraph")) {
      const to = (workload.object["spec"] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
      const port = portOf(workload);
      expect(allowed(policies, labelsOf("gateway"), to, port), `gateway → ${describeRole(workload.role)}`).toBe(true);
      for (const [name, from] of [
        ["worker", labelsOf("worker")],
        ["migrate", labelsOf("migrate")],
        ["a stranger", stranger],
      ] as const) {
        expect(allowed(policies, from, to, port), `${name} → ${describeRole(workload.role)}`).toBe(false);
      }
    }
    for (const kind of ["gateway", "worker", "migrate"] as const)
      expect(allowed(policies, labelsOf(kind), postgres, 5432), `${kind} → postgres`).toBe(true);
    expect(allowed(policies, stranger, postgres, 5432), "a stranger → postgres").toBe(false);
    expect(allowed(policies, stranger, labelsOf("gateway"), 4000), "anyone → gateway").toBe(true);
    expect(allowed(policies, stranger, labelsOf("worker"), 4000), "anyone → worker").toBe(false);
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
