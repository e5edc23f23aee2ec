// Every HTTP request to a subgraph carries the caller's principal, signed for exactly the
// operation in its body (subgraphs/shared/auth/signature.ts; the subgraph refuses anything else).
// graphql-ws requests are signed by the gateway's own transport (transport/ws.ts).

import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { signPrincipal } from "../../subgraphs/shared/auth/signature.ts";
import type { PrincipalContext } from "./api-keys.ts";

export function useSignedSubgraphRequests(gatewaySecret: string): GatewayPlugin<PrincipalContext> {
  return {
    onFetch({ context, options, setOptions }) {
      const principal = "principal" in context ? context.principal : undefined;
      // Without a context (loading a remote supergraph) or a principal (introspection, answered
      // by the gateway itself) there is no caller to sign for.
      if (!principal || typeof options.body !== "string") return;
      const body = JSON.parse(options.body) as { query?: unknown; operationName?: unknown; variables?: unknown };
      const signed = signPrincipal(principal, gatewaySecret, { query: body.query, operationName: body.operationName, variables: body.variables });
      setOptions({ ...options, headers: { ...(options.headers as Record<string, string> | undefined), ...signed } });
    },
  };
}
