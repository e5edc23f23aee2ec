// Every HTTP request to a subgraph carries the caller's principal, signed for exactly the
// operation in its body (subgraphs/shared/auth/signature.ts; the subgraph refuses anything else).
// graphql-ws requests are signed by the gateway's own transport (transport/ws.ts).

import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { defaultPrintFn } from "@graphql-mesh/transport-common";
import { signPrincipal, type SignedOperation } from "../../subgraphs/shared/auth/signature.ts";
import type { PrincipalContext } from "./api-keys.ts";

export function useSignedSubgraphRequests(gatewaySecret: string): GatewayPlugin<PrincipalContext> {
  return {
    onFetch({ context, options, setOptions, executionRequest }) {
      const principal = "principal" in context ? context.principal : undefined;
      // Without a context (loading a remote supergraph) or a principal (introspection, answered
      // by the gateway itself) there is no caller to sign for.
      if (!principal || typeof options.body !== "string") return;
      // What the body holds, without parsing it back: the HTTP executor prints the request's
      // document with the same (memoized) printer and serializes its variables as they are.
      const operation: SignedOperation = executionRequest
        ? { query: defaultPrintFn(executionRequest.document), operationName: executionRequest.operationName, variables: executionRequest.variables }
        : (JSON.parse(options.body) as SignedOperation);
      setOptions({ ...options, headers: { ...(options.headers as Record<string, string> | undefined), ...signPrincipal(principal, gatewaySecret, operation) } });
    },
  };
}
