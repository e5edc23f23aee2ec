// The process's metrics, in Prometheus's text format (docs/operate/metrics.md). One prom-client
// registry per process: every module registers its own families in it once, when it is first
// imported (prom-client refuses a second family of the same name, so a family is defined in one
// place and nowhere else), and increments them in place. Serving the registry is the entry
// points' business: each subgraph's port serves it at GET /metrics, the gateway's port serves it
// beside the gateway's own (gateway/metrics.ts); METRICS_ENABLED=false serves nothing.
//
// Our own registry rather than prom-client's global one: test runners evaluate our modules once
// per test file while prom-client (a dependency) stays loaded, and a family defined again in the
// global registry would throw.
//
// Labels never hold a tenant, an account, a key or anything a client typed: only values from a
// small set fixed in the code (a subgraph, a posting kind, an outcome, an error code).

import { collectDefaultMetrics, Registry } from "prom-client";

export const processRegistry = new Registry();

let defaultsCollected = false;

/** prom-client's process and Node.js metrics (CPU, memory, event loop, GC), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: processRegistry });
}

export const METRICS_PATH = "/metrics";
export const METRICS_CONTENT_TYPE = processRegistry.contentType;

/**
 * The exposition of several registries as one (the gateway's and the process's). Family names
 * never overlap: prom-client's merge throws if they did, which a test would catch.
 */
export function exposition(registries: readonly Registry[]): Promise<string> {
  return registries.length === 1 ? registries[0]!.metrics() : Registry.merge([...registries]).metrics();
}

/** Seconds since `startedMs` (a performance.now() reading), for histograms. */
export function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1_000;
}
