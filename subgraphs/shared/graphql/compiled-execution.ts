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
//   - Variables it cannot coerce (nothing has run then): graphql-js's errors say which, as Apollo
//     Server expects of a caller's mistake.

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
  type ExecutionResult,
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

/** Runs one operation of a subgraph: its document, a key naming that document, and the request's values. */
export type OperationRunner = (
  document: DocumentNode,
  key: string,
  operationName: string | undefined,
  variables: Record<string, unknown>,
  context: unknown,
) => Promise<ExecutionResult>;

/** graphql-js's interpreter as an OperationRunner (SUBGRAPH_EXECUTOR=graphql-js). */
export function interpretedOperations(schema: GraphQLSchema): OperationRunner {
  return async (document, _key, operationName, variables, context) =>
    execute({ schema, document, contextValue: context, variableValues: variables, operationName });
}

/** Each distinct operation (by key) compiled once, or interpreted where graphql-jit would differ. */
export function compiledOperations(schema: GraphQLSchema): OperationRunner & { clear(): void } {
  const interpret = interpretedOperations(schema);
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
  const run: OperationRunner = async (document, key, operationName, variables, context) => {
    const cacheKey = `${key}\u0000${operationName ?? ""}`;
    let operation = operations.get(cacheKey);
    if (!operation) {
      operation = prepare(document, operationName);
      // Oldest first out: a Map iterates in insertion order.
      if (operations.size >= MAX_OPERATIONS) operations.delete(operations.keys().next().value!);
      operations.set(cacheKey, operation);
    }
    if (operation === "interpret") return interpret(document, key, operationName, variables, context);
    const result = await operation.query(undefined, context, variables);
    // Variables graphql-jit could not coerce: nothing has run (no `data`), and graphql-js answers
    // with its own errors, which name the variable's definition: what Apollo Server needs to see
    // the caller's mistake (BAD_USER_INPUT) rather than a fault of ours.
    if (result.errors && !("data" in result)) return interpret(document, key, operationName, variables, context);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
  return Object.assign(run, { clear: () => operations.clear() });
}

/** Apollo Server's executor interface over `run` (server.ts shares it with the in-process path). */
export function compiledExecution(schema: GraphQLSchema, run = compiledOperations(schema)): GatewayInterface {
  const executor: GatewayExecutor = (request) =>
    run(request.document, request.queryHash, request.operationName ?? undefined, request.request.variables ?? {}, request.context);
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {
      run.clear();
    },
  };
}
