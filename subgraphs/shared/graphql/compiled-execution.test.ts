import type { GatewayExecutor, GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import { GraphQLError, GraphQLScalarType, Kind, parse, buildSchema, valueFromASTUntyped, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { compiledExecution, hasCustomScalarLiteral } from "./compiled-execution.ts";

// Two scalars like ours: an amount parsed into a BigInt, a date into a Date.
const Amount = new GraphQLScalarType({
  name: "Amount",
  serialize: (value) => String(value),
  parseValue: (value) => BigInt(value as string),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? BigInt(ast.value) : undefined),
});
const DateTime = new GraphQLScalarType({
  name: "DateTime",
  serialize: (value) => (value as Date).toISOString(),
  parseValue: (value) => new Date(value as string),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? new Date(ast.value) : undefined),
});

function testSchema(): GraphQLSchema {
  const schema = buildSchema(`
    scalar Amount
    scalar DateTime
    scalar JSON
    input Money { amount: Amount!, currency: String! }
    type Item { id: ID!, label(upper: Boolean): String! }
    type Query {
      amount(value: Amount!): String!
      money(input: Money!): String!
      at(when: DateTime!): String!
      items(first: Int!): [Item!]!
      refused: String
      caller: String!
      keys(of: JSON!): String!
    }
  `);
  Object.assign(schema.getType("Amount")!, {
    serialize: Amount.serialize,
    parseValue: Amount.parseValue,
    parseLiteral: Amount.parseLiteral,
  });
  Object.assign(schema.getType("DateTime")!, {
    serialize: DateTime.serialize,
    parseValue: DateTime.parseValue,
    parseLiteral: DateTime.parseLiteral,
  });
  Object.assign(schema.getType("JSON")!, { parseValue: (value: unknown) => value, parseLiteral: (ast: never) => valueFromASTUntyped(ast) });
  const query = schema.getQueryType()!.getFields();
  query["amount"]!.resolve = (_, { value }) => `${typeof value} ${String(value)}`;
  query["money"]!.resolve = (_, { input }) => `${typeof input.amount} ${String(input.amount)} ${input.currency}`;
  query["at"]!.resolve = (_, { when }) => `${when instanceof Date} ${(when as Date).toISOString()}`;
  query["items"]!.resolve = async (_, { first }) => Array.from({ length: first as number }, (_, i) => ({ id: `item_${i}` }));
  query["refused"]!.resolve = () => {
    throw Object.assign(new Error("No such thing"), { code: "NOT_FOUND" });
  };
  query["caller"]!.resolve = (_, __, context: { who: string }) => context.who;
  // What a metadata object arrives as: its own keys, and whether its prototype is untouched.
  query["keys"]!.resolve = (_, { of }) =>
    `${Object.keys(of as object).join(",")} ${Object.getPrototypeOf(of) === Object.prototype || Object.getPrototypeOf(of) === null}`;
  const item = (schema.getType("Item") as unknown as { getFields(): Record<string, { resolve?: unknown }> }).getFields();
  item["label"]!.resolve = (parent: { id: string }, { upper }: { upper?: boolean }) => (upper ? parent.id.toUpperCase() : parent.id);
  return schema;
}

async function executorFor(schema: GraphQLSchema): Promise<GatewayExecutor> {
  const { executor } = await compiledExecution(schema).load({ apollo: {} });
  return executor!;
}

function request(query: string, variables: Record<string, unknown> = {}, context: object = { who: "platform A" }) {
  return {
    request: { query, variables },
    document: parse(query),
    source: query,
    queryHash: query,
    operationName: null,
    context,
  } as unknown as GatewayGraphQLRequestContext;
}

describe("compiled execution", () => {
  it("runs operations with variables compiled, coercing our scalars exactly (a BigInt, a Date)", async () => {
    const execute = await executorFor(testSchema());
    const query = `query ($v: Amount!, $m: Money!, $w: DateTime!) { amount(value: $v) money(input: $m) at(when: $w) }`;
    const variables = { v: "9007199254740993", m: { amount: "12345678901234567890", currency: "USD" }, w: "2026-12-01T10:00:00.000Z" };
    expect(await execute(request(query, variables))).toEqual({
      data: {
        amount: "bigint 9007199254740993",
        money: "bigint 12345678901234567890 USD",
        at: "true 2026-12-01T10:00:00.000Z",
      },
    });
  });

  it.each([
    [`{ amount(value: "9007199254740993") }`, { amount: "bigint 9007199254740993" }],
    [`{ money(input: { amount: "5", currency: "EUR" }) }`, { money: "bigint 5 EUR" }],
    [`{ at(when: "2026-12-01T10:00:00.000Z") }`, { at: "true 2026-12-01T10:00:00.000Z" }],
    // Compiled, the literal would become JavaScript source, where "__proto__" sets a prototype.
    [`{ keys(of: { __proto__: { admin: true }, a: 1 }) }`, { keys: "__proto__,a true" }],
  ])("runs %s (our scalar as a literal) on graphql-js, which coerces it exactly", async (query, data) => {
    const schema = testSchema();
    expect(hasCustomScalarLiteral(schema, parse(query))).toBe(true);
    expect(await (await executorFor(schema))(request(query))).toEqual({ data });
  });

  it("compiles literals of GraphQL's own scalars (they are exact as JSON)", async () => {
    const schema = testSchema();
    const query = `{ items(first: 3) { id label(upper: true) } }`;
    expect(hasCustomScalarLiteral(schema, parse(query))).toBe(false);
    expect(await (await executorFor(schema))(request(query))).toEqual({
      data: { items: [0, 1, 2].map((i) => ({ id: `item_${i}`, label: `ITEM_${i}` })) },
    });
  });

  it("gives errors graphql-js's shape: extensions, path, and the resolver's error as originalError", async () => {
    const result = await (await executorFor(testSchema()))(request(`{ refused caller }`));
    expect(result.data).toEqual({ refused: null, caller: "platform A" });
    const [error] = result.errors!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error!.extensions).toEqual({});
    expect(error!.path).toEqual(["refused"]);
    expect((error!.originalError as { code?: string }).code).toBe("NOT_FOUND");
  });

  it.each([
    ["of the wrong type", { n: "many" }],
    ["missing", {}],
  ])("answers a variable %s as graphql-js does, naming its definition (Apollo Server's BAD_USER_INPUT)", async (_, variables) => {
    const query = `query ($n: Int!) { items(first: $n) { id } }`;
    const result = await (await executorFor(testSchema()))(request(query, variables));
    expect(result.data).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.nodes?.[0]?.kind).toBe(Kind.VARIABLE_DEFINITION);
    expect(result.errors![0]!.message).toMatch(/^Variable "\$n" /);
  });

  it("runs each request with its own context, the compiled operation shared", async () => {
    const execute = await executorFor(testSchema());
    const [a, b] = await Promise.all([
      execute(request(`{ caller }`, {}, { who: "platform A" })),
      execute(request(`{ caller }`, {}, { who: "platform B" })),
    ]);
    expect([a.data, b.data]).toEqual([{ caller: "platform A" }, { caller: "platform B" }]);
  });
});
