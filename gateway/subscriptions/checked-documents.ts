// The operations clients send over graphql-ws, parsed and (for subscriptions) validated once per
// text: a thousand partners send the same subscription, and validating it each time was the
// gateway's largest cost when they all connect. Queries and mutations are only parsed here:
// Apollo Server's pipeline validates them, with its own cache.

import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from "graphql";
import { LRUCache } from "lru-cache";
import { MAX_TOKENS } from "../limits.ts";

/** A refusal before execution, shaped as over HTTP (formatError turns the reason into BAD_USER_INPUT). */
export function requestError(message: string, reason: string): GraphQLError {
  // Field suggestions would describe the schema to whoever probes it (as over HTTP).
  return new GraphQLError(message.replace(/ Did you mean .*\?$/, ""), { extensions: { code: reason } });
}

export class CheckedDocuments {
  private readonly cache = new LRUCache<string, Checked>({ max: 1_000 });
  private schema: GraphQLSchema | undefined;

  constructor(
    private readonly currentSchema: () => GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
  ) {}

  check(query: string, operationName: string | undefined): Checked {
    const schema = this.currentSchema();
    if (schema !== this.schema) {
      this.cache.clear();
      this.schema = schema;
    }
    const key = `${operationName ?? ""}\u0000${query}`;
    let checked = this.cache.get(key);
    if (!checked) {
      checked = this.parseAndValidate(schema, query, operationName);
      this.cache.set(key, checked);
    }
    return checked;
  }

  private parseAndValidate(schema: GraphQLSchema, query: string, operationName: string | undefined): Checked {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: MAX_TOKENS });
    } catch (error) {
      return { errors: [requestError((error as Error).message, "GRAPHQL_PARSE_FAILED")] };
    }
    const operation = getOperationAST(document, operationName);
    if (!operation) return { errors: [requestError("Unable to identify the operation: give an operationName", "GRAPHQL_VALIDATION_FAILED")] };
    if (operation.operation === "subscription") {
      const errors = validate(schema, document, [...specifiedRules, ...this.rules]);
      if (errors.length > 0) {
        return { errors: errors.map((error) => requestError(error.message, error.extensions["code"] === "BAD_USER_INPUT" ? "BAD_USER_INPUT" : "GRAPHQL_VALIDATION_FAILED")) };
      }
    }
    return { document, operation };
  }
}

export type Checked = { readonly document: DocumentNode; readonly operation: OperationDefinitionNode } | { readonly errors: GraphQLError[] };
