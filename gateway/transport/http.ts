// The gateway's transport to subgraphs over HTTP: Hive Gateway's own (@graphql-mesh/transport-http),
// with the caller's principal among each request's headers from the start.
//
// Its executor shares identical requests in flight (`deduplicateInflightRequests`), keyed on the
// URL, the body and the headers it was given. Stock, that is the body alone: our signed principal
// is added later (plugins/signing.ts, in onFetch), and `viewer` is the same text for every
// platform, so platforms were answered with each other's data (test/concurrent-tenancy.e2e.test.ts).
// Given the principal here, through the executor's documented `extensions.headers`, one caller's
// identical requests share a fetch and two callers' never do. The header's value is the one the
// signing plugin then signs for exactly the body sent. (A shared fetch carries no caller's abort
// signal: the runtime's upstream cancellation is off, so one caller going away cancels nothing
// another waits on.)

import httpTransport from "@graphql-mesh/transport-http";
import type { ExecutionRequest } from "@graphql-tools/utils";
import { encodePrincipal, PRINCIPAL_HEADER } from "../../subgraphs/shared/auth/signature.ts";
import { principalOf } from "./ws.ts";

type HttpTransport = typeof httpTransport;
type Executor = ReturnType<HttpTransport["getSubgraphExecutor"]>;

export const principalKeyedHttpTransport: HttpTransport = {
  getSubgraphExecutor(payload) {
    const executor = httpTransport.getSubgraphExecutor(payload);
    const keyed = (request: ExecutionRequest) => {
      const principal = principalOf(request.context);
      if (!principal) return executor(request);
      const headers = {
        ...(request.extensions?.["headers"] as Record<string, string> | undefined),
        [PRINCIPAL_HEADER]: encodePrincipal(principal),
      };
      return executor({ ...request, extensions: { ...request.extensions, headers } });
    };
    return Object.assign(keyed, { [Symbol.asyncDispose]: () => executor[Symbol.asyncDispose]() }) as Executor;
  },
};
