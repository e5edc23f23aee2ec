// A subgraph's operations executed by graphql-jit instead of graphql-js's interpreter: each
// distinct operation is compiled once into a function that resolves, completes and serializes
// its fields directly, and then runs as that function (a bounded cache of them per subgraph).
// graphql-js builds an arguments object, a path and a promise chain per field resolved, on every
// request; a dashboard page's subgraph operations resolve about a thousand fields, and garbage
// collection was a fifth of the process's CPU (docs/performance.md measures the difference).
//
// Plugged in through Apollo Server's executor interface (the one @apollo/gateway uses), so
// everything else stays Apollo's: parsing and validation (with its document cache), plugins
// (signature check, request log, metrics, tracing), error formatting. Subscriptions are served
// by graphql-ws with graphql-js (subscriptions.ts). SUBGRAPH_EXECUTOR=graphql-js turns it off.
//
// Where graphql-jit would differ, graphql-js runs the operation instead:
//   - A literal of one of our scalars in the operation (an amount, a date, metadata written into
//     the query rather than passed as a variable): graphql-jit coerces literals at compile time
//     and writes the values into the generated code as JavaScript source, so a BigInt does not
//     compile and a metadata object is rebuilt from source text (where a "__proto__" key sets
//     its prototype instead of being a key: compiled-execution.test.ts). Variables are coerced
//     at run time, exactly.
//   - Anything else it refuses to compile.

import type { GatewayExecutor, GatewayInterface } from "@apollo/server-gateway-interface";
import {
  BREAK,
  execute,
  getNamedType,
  GraphQLError,
  isScalarType,
  Kind,
  specifiedScalarTypes,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";

/** Distinct operations kept per subgraph: the gateway's plans produce a few hundred at most. */
const MAX_OPERATIONS = 1_000;

const BUILT_IN_SCALARS = new Set(specifiedScalarTypes.map((type) => type.name));
const LITERALS = new Set<string>([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.LIST, Kind.OBJECT]);

/** Whether `document` writes a value of a scalar other than GraphQL's own as a literal. */
export function hasCustomScalarLiteral(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      enter(node) {
        if (!LITERALS.has(node.kind)) return undefined;
        const type = typeInfo.getInputType();
        const named = type ? getNamedType(type) : undefined;
        if (named && isScalarType(named) && !BUILT_IN_SCALARS.has(named.name)) {
          found = true;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return found;
}

/**
 * graphql-jit's errors are GraphQLErrors by prototype only (no `extensions` unless the original
 * error had some, which Apollo Server's error formatting reads unguarded): made graphql-js's own,
 * with the same message, path and original error (what our formatError reads).
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    path: error.path,
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions ? { extensions: error.extensions } : {}),
  });
}

export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  /** Per operation: its compiled form, or "interpret" where graphql-js runs it. */
  const operations = new Map<string, CompiledQuery | "interpret">();
  const prepare = (document: DocumentNode, operationName: string | undefined): CompiledQuery | "interpret" => {
    if (hasCustomScalarLiteral(schema, document)) return "interpret";
    try {
      const compiled = compileQuery(schema, document, operationName);
      return isCompiledQuery(compiled) ? compiled : "interpret";
    } catch {
      return "interpret";
    }
  };
  const executor: GatewayExecutor = async (request) => {
    const operationName = request.operationName ?? undefined;
    const key = `${request.queryHash}\u0000${operationName ?? ""}`;
    let operation = operations.get(key);
    if (!operation) {
      operation = prepare(request.document, operationName);
      // Oldest first out: a Map iterates in insertion order.
      if (operations.size >= MAX_OPERATIONS) operations.delete(operations.keys().next().value!);
      operations.set(key, operation);
    }
    const variables = request.request.variables ?? {};
    if (operation === "interpret")
      return execute({ schema, document: request.document, contextValue: request.context, variableValues: variables, operationName });
    const result = await operation.query(undefined, request.context, variables);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {
      operations.clear();
    },
  };
}
