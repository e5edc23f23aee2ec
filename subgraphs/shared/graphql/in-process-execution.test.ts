// The in-process path answers exactly as Apollo Server's pipeline does: each operation below runs
// both ways (this path, and apollo.executeOperation on a server with the same schema, formatError
// and text rule) and the two answers must be equal. The ones Apollo Server refuses before
// executing must be handed to it; the others must not be.

import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { buildSchema, type FormattedExecutionResult } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, notFound } from "../errors.ts";
import { createLogger } from "../logger.ts";
import { compiledExecution, compiledOperations, interpretedOperations } from "./compiled-execution.ts";
import { formatErrorWith } from "./errors.ts";
import { inProcessExecution, type InProcessRequest } from "./in-process-execution.ts";
import { requestLogging } from "./request-log.ts";
import { refuseMalformedText } from "./text-plugin.ts";

const schema = buildSchema(`
  type Item { id: ID!, label: String!, broken: String }
  type Query {
    item(id: ID!): Item
    items(first: Int!): [Item!]!
    echo(text: String!): String!
  }
  type Mutation { rename(id: ID!, label: String!): Item! }
`);
const item = (id: string) => ({
  id,
  label: `item ${id}`,
  broken: () => {
    throw new Error("a bug");
  },
});
Object.assign(schema.getQueryType()!.getFields()["item"]!, {
  resolve: (_: unknown, { id }: { id: string }) => {
    if (id === "missing") throw notFound("item", id);
    if (id === "conflict") throw new AppError("INVALID_STATE", "It moved", { id });
    return item(id);
  },
});
Object.assign(schema.getQueryType()!.getFields()["items"]!, {
  resolve: (_: unknown, { first }: { first: number }) => Array.from({ length: first }, (_, i) => item(String(i))),
});
Object.assign(schema.getQueryType()!.getFields()["echo"]!, { resolve: (_: unknown, { text }: { text: string }) => text });
Object.assign(schema.getMutationType()!.getFields()["rename"]!, {
  resolve: (_: unknown, { id, label }: { id: string; label: string }) => ({ id, label, broken: null }),
});

const CASES: Record<string, InProcessRequest & { readonly handedOver?: true }> = {
  "a query with variables": { query: "query Q($id: ID!) { item(id: $id) { id label } }", variables: { id: "7" } },
  "a list": { query: "{ items(first: 3) { id label } }" },
  "a mutation": { query: "mutation M($id: ID!, $l: String!) { rename(id: $id, label: $l) { id label } }", variables: { id: "1", l: "x" } },
  "a typed error": { query: '{ item(id: "missing") { id } }' },
  "a typed error with details": { query: '{ item(id: "conflict") { id } }' },
  "a bug, masked": { query: '{ item(id: "3") { id broken } }' },
  "a variable that does not coerce": { query: "query Q($n: Int!) { items(first: $n) { id } }", variables: { n: "many" } },
  "a missing variable": { query: "query Q($n: Int!) { items(first: $n) { id } }" },
  "two operations, one named": {
    query: 'query A { items(first: 1) { id } } query B { item(id: "2") { label } }',
    operationName: "B",
  },
  "a document that does not parse": { query: "{ items(first: ", handedOver: true },
  "a document that does not validate": { query: "{ nothing }", handedOver: true },
  "an operation name the document lacks": { query: "query A { items(first: 1) { id } }", operationName: "Z", handedOver: true },
  "two operations, none named": { query: 'query A { echo(text: "a") } query B { echo(text: "b") }', handedOver: true },
  "a NUL in a variable": { query: "query Q($t: String!) { echo(text: $t) }", variables: { t: "a\u0000b" }, handedOver: true },
  "a lone surrogate in a literal": { query: '{ echo(text: "\\uD800") }', handedOver: true },
};

const logger = createLogger("silent", "test");
const context = { logger };

// Each executor against Apollo Server running the same one (SUBGRAPH_EXECUTOR).
describe.each([
  ["compiled", true],
  ["graphql-js", false],
] as const)("in-process execution (%s) against Apollo Server's pipeline", (_, compiled) => {
  const run = compiled ? compiledOperations(schema) : interpretedOperations(schema);
  const formatError = formatErrorWith(logger);
  const requests = requestLogging(logger);
  const apollo = new ApolloServer<typeof context>({
    ...(compiled ? { gateway: compiledExecution(schema, compiledOperations(schema)) } : { schema }),
    formatError: (formatted, error) => formatError(formatted, error, requests.requestOf(error)),
    includeStacktraceInErrorResponses: false,
    // The request log reads only the context's logger.
    plugins: [refuseMalformedText(), requests.plugin as unknown as ApolloServerPlugin<typeof context>],
  });
  const throughApollo = async (request: InProcessRequest): Promise<FormattedExecutionResult> => {
    const response = await apollo.executeOperation(request, { contextValue: context });
    if (response.body.kind !== "single") throw new Error("incremental");
    return response.body.singleResult;
  };
  const handedOver: string[] = [];
  const execute = inProcessExecution<typeof context>({
    schema,
    run,
    formatError,
    requests,
    fallback: (request) => {
      handedOver.push(request.query);
      return throughApollo(request);
    },
  });

  beforeAll(() => apollo.start());
  afterAll(() => apollo.stop());

  it.each(Object.entries(CASES))("answers %s as Apollo Server does", async (_name, { handedOver: expectHandedOver, ...request }) => {
    handedOver.length = 0;
    const direct = await execute(request, context);
    expect(handedOver).toEqual(expectHandedOver ? [request.query] : []);
    // JSON: Apollo Server's answer may hold `errors: undefined` where this one has no key.
    expect(JSON.parse(JSON.stringify(direct))).toEqual(JSON.parse(JSON.stringify(await throughApollo(request))));
  });

  it("answers the same operation again from its cached document", async () => {
    const request = CASES["a query with variables"]!;
    const first = await execute(request, context);
    expect(await execute({ ...request, variables: { id: "8" } }, context)).toEqual({ data: { item: { id: "8", label: "item 8" } } });
    expect(first).toEqual({ data: { item: { id: "7", label: "item 7" } } });
  });
});
