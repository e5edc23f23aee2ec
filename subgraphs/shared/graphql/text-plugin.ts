// Apollo Server plugin: the text rule (text-input.ts) on every operation, after it is parsed and
// validated and before anything executes.

import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { findMalformedArgument, malformedTextError } from "./text-input.ts";

export function refuseMalformedText<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const problem = findMalformedArgument(document, request.variables);
          if (problem) throw malformedTextError(problem);
        },
      };
    },
  };
}
