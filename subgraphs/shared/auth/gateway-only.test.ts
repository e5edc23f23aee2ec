// The in-Apollo check on its own (without the HTTP door in front of it): whatever Apollo is about
// to execute must be what the request's headers were signed for.

import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from "@apollo/server";
import { buildSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import { executesSignedOperation } from "./gateway-only.ts";
import { signPrincipal, type SignedOperation } from "./signature.ts";

const SECRET = "s".repeat(64);
let executed: string[] = [];
const server = new ApolloServer({
  schema: buildSchema("type Query { mine: String, theirs: String }"),
  rootValue: {
    mine: () => (executed.push("mine"), "mine"),
    theirs: () => (executed.push("theirs"), "theirs"),
  },
  persistedQueries: false,
  plugins: [executesSignedOperation({ secret: SECRET, logger: createLogger("silent", "test") })],
});

beforeAll(() => server.start());
afterAll(() => server.stop());

const SIGNED: SignedOperation = { query: "{ mine }" };

async function run(request: Omit<HTTPGraphQLRequest, "headers">, signedFor: SignedOperation = SIGNED) {
  executed = [];
  const headers = new HeaderMap([
    ["content-type", "application/json"],
    ...Object.entries(signPrincipal({ kind: "gateway" }, SECRET, signedFor)),
  ]);
  const response = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest: { ...request, headers }, context: async () => ({}) });
  const text = response.body.kind === "complete" ? response.body.string : "";
  return { status: response.status ?? 200, body: JSON.parse(text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
}

describe("executesSignedOperation", () => {
  it("lets the signed operation run", async () => {
    const answer = await run({ method: "POST", search: "", body: SIGNED });
    expect(answer).toEqual({ status: 200, body: { data: { mine: "mine" } } });
    expect(executed).toEqual(["mine"]);
  });

  it("refuses a GET whose URL carries another query than the signed body, before anything runs", async () => {
    const answer = await run({ method: "GET", search: `?query=${encodeURIComponent("{ theirs }")}`, body: SIGNED });
    expect(answer.status).toBe(401);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(executed).toEqual([]);
  });

  it.each([
    ["another query", { query: "{ theirs }" }],
    ["the same query and other variables", { ...SIGNED, variables: { x: 1 } }],
    ["the same query and an operation name", { ...SIGNED, operationName: "Mine" }],
  ])("refuses a body with %s: not what was signed", async (_what, body) => {
    const answer = await run({ method: "POST", search: "", body });
    expect(answer.status).toBe(401);
    expect(executed).toEqual([]);
  });
});
