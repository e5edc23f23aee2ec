// Each subgraph's own view of the operations it serves over HTTP, labelled by subgraph (one
// process may serve all four). No operation names: the gateway's metrics have the client's, and
// the names the query planner gives subgraph operations would only repeat them.

import type { ApolloServerPlugin, GraphQLRequestListener } from "@apollo/server";
import { Counter, Histogram } from "prom-client";
import { processRegistry, secondsSince } from "../metrics.ts";

const operations = new Counter({
  name: "moneygraph_subgraph_operations_total",
  help: "GraphQL operations a subgraph answered over HTTP, by subgraph, operation type and outcome (ok, or error: the answer held errors)",
  labelNames: ["subgraph", "type", "outcome"],
  registers: [processRegistry],
});

const duration = new Histogram({
  name: "moneygraph_subgraph_operation_duration_seconds",
  help: "Time a subgraph took to answer a GraphQL operation over HTTP, by subgraph and operation type",
  labelNames: ["subgraph", "type"],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processRegistry],
});

/** One operation answered: its type ("unknown" when refused before one was found), whether the answer held errors, when it began. */
export function recordOperation(subgraph: string, type: string, failed: boolean, started: number): void {
  operations.inc({ subgraph, type, outcome: failed ? "error" : "ok" });
  duration.observe({ subgraph, type }, secondsSince(started));
}

export function operationMetrics<T extends object>(subgraph: string): ApolloServerPlugin<T> {
  return {
    async requestDidStart(): Promise<GraphQLRequestListener<T>> {
      const started = performance.now();
      return {
        async willSendResponse({ operation, response }) {
          // "unknown": refused before an operation was found (unparsable, unsigned for what it holds).
          const failed = response.body.kind === "single" && !!response.body.singleResult.errors?.length;
          recordOperation(subgraph, operation?.operation ?? "unknown", failed, started);
        },
      };
    },
  };
}
