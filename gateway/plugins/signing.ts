// Every HTTP request to a subgraph carries the caller's principal, signed for exactly the
// operation in its body (subgraphs/shared/auth/signature.ts; the subgraph refuses anything else).
// graphql-ws requests are signed by the gateway's own transport (transport/ws.ts).
//
// Signed from the body itself, parsed back: the execution request the runtime hands this hook is
// not always what the HTTP executor serialized (the JS planner's differs), and a signature must
// cover exactly what the subgraph receives.

import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { signPrincipal, type SignedOperation } from "../../subgraphs/shared/auth/signature.ts";
import type { PrincipalContext } from "./api-keys.ts";

export function useSignedSubgraphRequests(gatewaySecret: string): GatewayPlugin<PrincipalContext> {
  return {
    onFetch({ context, options, setOptions }) {
      const principal = "principal" in context ? context.principal : undefined;
      // Without a context (loading a remote supergraph) or a principal (introspection, answered
      // by the gateway itself) there is no caller to sign for.
      if (!principal || typeof options.body !== "string") return;
      const { query, operationName, variables } = JSON.parse(options.body) as SignedOperation;
      setOptions({
        ...options,
        headers: {
          ...(options.headers as Record<string, string> | undefined),
          ...signPrincipal(principal, gatewaySecret, { query, operationName, variables }),
        },
      });
    },
  };
}
