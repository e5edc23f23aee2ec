// The supergraph only names our custom scalars; the gateway would pass any value through and
// let a subgraph reject it later. Give the gateway's schema the subgraphs' strict checks, so bad
// input is refused at the edge, before planning, with BAD_USER_INPUT. Only checks: the value
// itself goes on to the subgraph as the client wrote it (the subgraph parses it again).

import { isScalarType, valueFromASTUntyped, type GraphQLScalarType, type GraphQLSchema } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { CurrencyScalar, DateTimeScalar, MinorUnitsScalar } from "../subgraphs/shared/graphql/scalars.ts";

const STRICT: readonly GraphQLScalarType[] = [MinorUnitsScalar, CurrencyScalar, DateTimeScalar];

const applied = new WeakSet<GraphQLSchema>();

export function applyStrictScalars(schema: GraphQLSchema): void {
  if (applied.has(schema)) return;
  applied.add(schema);
  for (const strict of STRICT) {
    const type = schema.getType(strict.name);
    if (!type || !isScalarType(type)) continue;
    type.parseValue = (value) => {
      strict.parseValue(value);
      return value;
    };
    type.parseLiteral = (ast, variables) => {
      strict.parseLiteral(ast, variables);
      return valueFromASTUntyped(ast, variables);
    };
  }
}

export function useStrictScalars(): GatewayPlugin {
  return {
    onSchemaChange({ schema }) {
      applyStrictScalars(schema);
    },
  };
}
