// A document with several operations and no operationName, or an operationName it does not
// hold, names nothing to run. Apollo Server leaves that to the gateway's executor, which throws
// and is answered 500; it is the client's mistake: 400, BAD_USER_INPUT with
// reason OPERATION_RESOLUTION_FAILURE (formatError), before anything is planned.

import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";

export const requireResolvedOperation: ApolloServerPlugin<object> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request }) {
        if (operation) return;
        const message = request.operationName
          ? `Unknown operation named "${request.operationName}"`
          : "Must provide operationName: the document contains several operations";
        throw new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } } });
      },
    };
  },
};
