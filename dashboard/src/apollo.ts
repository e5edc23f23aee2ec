// Apollo Client for the dashboard: queries and mutations over HTTP, subscriptions over graphql-ws,
// both on the gateway's /graphql (same origin), both carrying the signed-in key.

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";

export function createApollo(secretKey: string): { client: ApolloClient; dispose(): void } {
  const http = new HttpLink({ uri: "/graphql", headers: { authorization: `Bearer ${secretKey}` } });
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const sockets = createClient({
    url: wsUrl,
    connectionParams: { authorization: `Bearer ${secretKey}` },
    // No silent retries: a retry would subscribe again with the first variables (from now),
    // skipping what happened meanwhile. A closed socket ends the subscription with an error, and
    // the overview subscribes again with `after` its last event (pages/Overview.tsx).
    retryAttempts: 0,
  });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === "OperationDefinition" && definition.operation === "subscription";
    },
    new GraphQLWsLink(sockets),
    http,
  );
  const client = new ApolloClient({
    link,
    cache: new InMemoryCache(),
    // Money changes behind any page's back (other tabs, other people, the API): a page shows what
    // it has at once and always asks again, rather than trusting a cache from an earlier visit.
    defaultOptions: { watchQuery: { fetchPolicy: "cache-and-network" } },
  });
  return {
    client,
    dispose() {
      void sockets.dispose();
      client.stop();
    },
  };
}
