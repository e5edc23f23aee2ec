// Subgraph calls: over keep-alive HTTP (undici's pooled fetch), each signed with the caller's
// principal so subgraphs can trust it and refuse everything else.

import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { GraphQLError } from "graphql";
import { isErrorCode } from "../subgraphs/shared/errors.ts";
import type { Principal } from "../subgraphs/shared/auth/principal.ts";
import { signPrincipal } from "../subgraphs/shared/auth/signature.ts";

export interface GatewayContext {
  readonly principal: Principal | undefined;
}

export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, private readonly secret: string) {
    super({ url, fetcher: globalThis.fetch as never });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const principal = "principal" in context ? context.principal : undefined;
    // Only introspection runs without a principal, and the gateway answers that itself.
    if (!principal) throw new Error("subgraph call without a principal");
    // Signed for this very operation: the subgraph checks the signature against the body.
    const operation = { query: request.query, operationName: request.operationName, variables: request.variables };
    for (const [name, value] of Object.entries(signPrincipal(principal, this.secret, operation))) {
      request.http?.headers.set(name, value);
    }
  }

  /** A subgraph's typed refusal (HTTP 4xx with a GraphQL error) reaches the client as it was. */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0]): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    const body = (error.extensions["response"] as { body?: unknown } | undefined)?.body as
      | { errors?: { message?: unknown; extensions?: { code?: unknown; argument?: unknown } }[] }
      | undefined;
    const first = body?.errors?.[0];
    const code = first?.extensions?.code;
    if (response.status < 500 && typeof first?.message === "string" && isErrorCode(code) && code !== "INTERNAL_SERVER_ERROR") {
      const argument = first?.extensions?.argument;
      return new GraphQLError(first.message, { extensions: { code, ...(typeof argument === "string" ? { argument } : {}) } });
    }
    return error;
  }
}
