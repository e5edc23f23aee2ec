// Kubernetes manifests, offline: YAML files parsed strictly, kustomizations rendered, and each
// object validated against the Kubernetes API schemas that `kubernetes-models` compiles (types,
// required fields, formats; it does not refuse unknown fields).
//
// No kustomize binary is assumed: `kustomize()` renders the subset of kustomize these manifests
// use (resources, namespace, images, RFC 6902 patches) and refuses any other field, so a
// kustomization cannot grow a feature the checks would silently skip. Where kubectl is
// installed, kubernetes.test.ts compares this rendering with `kubectl kustomize`.

import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";

/** A Kubernetes object as parsed (validated separately). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // The rest is read through the typed views below, or path by path.
  [field: string]: unknown;
}

/** Every YAML document of a file; a syntax error or a warning throws, naming the file. */
export function readYamlDocuments(path: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(path, "utf8"), { merge: true, strict: true, uniqueKeys: true });
  if (!Array.isArray(documents)) return [];
  return documents.map((document) => {
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem) throw new Error(`${path}: ${problem.message}`);
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  });
}

const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

/** The schema problems of one object ([] when valid); an unknown apiVersion/kind is one. */
export function schemaProblems(object: K8sObject): string[] {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return [`${object.apiVersion} ${object.kind}: no schema known here (add its model to test/deploy/support/manifests.ts)`];
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    return [`${object.kind} ${object.metadata?.name}: ${(error as Error).message}`];
  }
}

const KUSTOMIZATION_FIELDS = new Set(["apiVersion", "kind", "resources", "namespace", "images", "patches"]);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

/** The objects `kustomize build <dir>` would print, for the subset of kustomize described above. */
export function kustomize(dir: string): K8sObject[] {
  const file = join(dir, "kustomization.yaml");
  const [spec] = readYamlDocuments(file) as [Kustomization];
  const unsupported = Object.keys(spec).filter((field) => !KUSTOMIZATION_FIELDS.has(field));
  if (unsupported.length > 0) throw new Error(`${file}: fields the offline renderer does not support: ${unsupported.join(", ")}`);
  for (const patch of spec.patches ?? []) {
    if (Object.keys(patch).some((key) => key !== "target" && key !== "patch"))
      throw new Error(`${file}: only inline RFC 6902 patches with a kind/name target are supported`);
  }

  const objects = (spec.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return statSync(path).isDirectory() ? kustomize(path) : (readYamlDocuments(path) as K8sObject[]);
  });
  for (const { target, patch } of spec.patches ?? []) {
    const matches = objects.filter((object) => object.kind === target.kind && object.metadata.name === target.name);
    if (matches.length === 0) throw new Error(`${file}: patch target ${target.kind} ${target.name} matches nothing`);
    for (const object of matches) applyJsonPatch(object, (readYamlText(patch) ?? []) as JsonPatchOperation[]);
  }
  for (const image of spec.images ?? []) {
    for (const container of objects.flatMap(containersOf)) {
      if (imageName(container.image) !== image.name) continue;
      const tag = image.digest ? `@${image.digest}` : image.newTag ? `:${image.newTag}` : container.image.slice(image.name.length);
      container.image = `${image.newName ?? image.name}${tag}`;
    }
  }
  if (spec.namespace) {
    for (const object of objects) if (object.kind !== "Namespace") object.metadata.namespace = spec.namespace;
  }
  return objects;
}

function readYamlText(text: string): unknown {
  const documents = parseAllDocuments(text, { strict: true });
  if (!Array.isArray(documents) || documents.length !== 1) throw new Error("a patch is one YAML document");
  return documents[0]!.toJS() as unknown;
}

/** An image reference without its tag or digest. */
export function imageName(image: string): string {
  return image.split("@")[0]!.replace(/:[^:/]+$/, "");
}

interface JsonPatchOperation {
  op: "add" | "replace" | "remove";
  path: string;
  value?: unknown;
}

/** RFC 6902's add, replace and remove (all these manifests need), in place. */
export function applyJsonPatch(document: object, operations: readonly JsonPatchOperation[]): void {
  for (const operation of operations) {
    const keys = operation.path
      .split("/")
      .slice(1)
      .map((key) => key.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = keys.pop();
    if (last === undefined) throw new Error(`patch path ${operation.path}: cannot replace the whole document`);
    let parent: Record<string, unknown> = document as Record<string, unknown>;
    for (const key of keys) {
      const next = parent[key];
      if (typeof next !== "object" || next === null) throw new Error(`patch path ${operation.path}: ${key} does not exist`);
      parent = next as Record<string, unknown>;
    }
    const exists = Array.isArray(parent) ? Number(last) < parent.length : last in parent;
    if (operation.op !== "add" && !exists) throw new Error(`patch path ${operation.path} does not exist (${operation.op})`);
    if (operation.op === "remove") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (Array.isArray(parent) && operation.op === "add") {
      parent.splice(last === "-" ? parent.length : Number(last), 0, operation.value);
    } else {
      parent[last] = operation.value;
    }
  }
}

/** A container of a pod template, as these tests read it. */
export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

/** The pod template of a workload (Deployment, Job), if it is one. */
export function podSpecOf(object: K8sObject): PodSpec | undefined {
  if (object.kind !== "Deployment" && object.kind !== "Job") return undefined;
  return (object["spec"] as { template: { spec: PodSpec } }).template.spec;
}

export function containersOf(object: K8sObject): Container[] {
  const pod = podSpecOf(object);
  return pod ? [...pod.containers, ...(pod.initContainers ?? [])] : [];
}
