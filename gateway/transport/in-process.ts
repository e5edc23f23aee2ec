// The gateway's transport to subgraphs served by the same process (the all-in-one process of
// `npm start`): a plan's query or mutation for such a subgraph runs on the subgraph directly
// (`RunningSubgraph.execute`: its schema and executor, Apollo Server's pipeline only for what that
// refuses before executing), with the caller's principal handed over as a value. No HTTP request,
// no JSON either way, no signature to make and check: in one process there is no wire for anyone
// to forge or replay on. Measured with `npm run bench:dashboard` and `npm run bench:ledger`
// (docs/performance.md).
//
// Subscriptions still go over the signed graphql-ws transport (transport/ws.ts), as in a split
// deployment: their flow control and resumption live there. A gateway of its own (cmd/gateway.ts)
// reaches its subgraphs over HTTP with signed principals (plugins/signing.ts); this transport is
// only ever given subgraphs of its own process.
//
// What the gateway sees is what the HTTP transport would have handed it: the subgraph's formatted
// errors as GraphQL errors, data with scalars serialized.

import type { TransportGetSubgraphExecutorOptions } from "@graphql-mesh/transport-common";
import { defaultPrintFn } from "@graphql-mesh/transport-common";
import { createGraphQLError, type ExecutionRequest, type ExecutionResult, type Executor } from "@graphql-tools/utils";
import type { FormattedExecutionResult } from "graphql";
import type { InProcessOperation } from "../../subgraphs/shared/server.ts";
import { principalOf, requestIdOf } from "./ws.ts";

export const IN_PROCESS_KIND = "in-process";

/** A subgraph served by this process, as the transport needs it. */
export interface InProcessSubgraph {
  execute(operation: InProcessOperation): Promise<FormattedExecutionResult>;
}

/** The subgraph's formatted answer as an execution result (its errors as GraphQLErrors, like the HTTP transport's). */
function asExecutionResult(result: FormattedExecutionResult): ExecutionResult {
  if (!result.errors) return result as ExecutionResult;
  return {
    ...result,
    errors: result.errors.map(({ message, ...rest }) => createGraphQLError(message, rest)),
  } as ExecutionResult;
}

export function inProcessTransport(subgraphs: ReadonlyMap<string, InProcessSubgraph>) {
  return {
    getSubgraphExecutor(payload: TransportGetSubgraphExecutorOptions): Executor {
      const subgraph = subgraphs.get(payload.subgraphName);
      if (!subgraph) throw new Error(`subgraph ${payload.subgraphName} is not served by this process`);
      // Subscriptions: the graphql-ws transport, at the subgraph's own URL (resolved once).
      let subscriptions: Executor | Promise<Executor> | undefined;
      const subscribe = async (request: ExecutionRequest) => {
        subscriptions ??= payload.getTransportExecutor({
          ...payload.transportEntry,
          kind: "ws",
          headers: undefined,
          options: { ...payload.transportEntry.options, subscriptions: undefined },
        });
        return (await subscriptions)(request);
      };
      return ((request: ExecutionRequest) => {
        if (request.operationType === "subscription") return subscribe(request);
        const principal = principalOf(request.context);
        // The HTTP transport's subgraph would refuse an unsigned request; nothing runs without a caller.
        if (!principal)
          return {
            errors: [createGraphQLError("Subgraphs are reachable only through the gateway", { extensions: { code: "UNAUTHENTICATED" } })],
          };
        return subgraph
          .execute({
            query: defaultPrintFn(request.document),
            operationName: request.operationName,
            variables: request.variables,
            principal,
            requestId: requestIdOf(request.context),
          })
          .then(asExecutionResult);
      }) as Executor;
    },
  };
}
