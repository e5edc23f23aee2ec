// The supergraph only names our custom scalars; the gateway would pass any value through and
// let a subgraph reject it later. Give the gateway's API schema the same strict parsing the
// subgraphs use, so bad input is refused at the edge, before planning, with BAD_USER_INPUT.
// (Serialization stays the gateway's own: subgraphs already send strings.)

import type { ApolloGateway } from "@apollo/gateway";
import { isScalarType, type GraphQLScalarType, type GraphQLSchema } from "graphql";
import { CurrencyScalar, DateTimeScalar, MinorUnitsScalar } from "../subgraphs/shared/graphql/scalars.ts";

const STRICT: readonly GraphQLScalarType[] = [MinorUnitsScalar, CurrencyScalar, DateTimeScalar];

export function applyStrictScalars(schema: GraphQLSchema): void {
  for (const strict of STRICT) {
    const type = schema.getType(strict.name);
    if (!type || !isScalarType(type)) continue;
    type.parseValue = strict.parseValue;
    type.parseLiteral = strict.parseLiteral;
  }
}

export function useStrictScalars(gateway: ApolloGateway): void {
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => applyStrictScalars(apiSchema));
}
