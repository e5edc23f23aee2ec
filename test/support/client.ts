// A small typed GraphQL-over-HTTP client for the tests: real fetch, real JSON, the operations
// compiled by codegen (test/generated) so variables and results are typed.

import { randomBytes } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type DocumentNode } from "graphql";
import { expect } from "vitest";
import { graphql } from "../generated/index.ts";
import type { AccountId } from "../../subgraphs/shared/ids.ts";
import { idOf } from "./fixtures.ts";
import { ADMIN_API_KEY, testPlatform } from "./platform.ts";

export interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface Response<T> {
  status: number;
  data: T | null | undefined;
  errors: GraphQLErrorJson[] | undefined;
}

export async function gatewayUrl(): Promise<string> {
  return (await testPlatform()).gateway!.url;
}

export async function request<T, V>(
  document: TypedDocumentNode<T, V> | DocumentNode | string,
  variables?: V,
  options: { key?: string | undefined; headers?: Record<string, string>; url?: string } = {},
): Promise<Response<T>> {
  const query = typeof document === "string" ? document : print(document);
  const response = await fetch(options.url ?? (await gatewayUrl()), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: GraphQLErrorJson[] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** Runs an operation that must succeed and returns its data. */
export async function ok<T, V>(document: TypedDocumentNode<T, V>, variables: V, key: string): Promise<T> {
  const result = await request(document, variables, { key });
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

/** The codes of a response's errors, for assertions. */
export function codes(result: Response<unknown>): (string | undefined)[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}

const CreatePlatform = graphql(`
  mutation NewTestPlatform($input: CreatePlatformInput!, $idempotencyKey: String!) {
    createPlatform(input: $input, idempotencyKey: $idempotencyKey) {
      secretKey
      liveSecretKey
      account {
        id
      }
    }
  }
`);

export interface TestTenant {
  readonly accountId: AccountId;
  /** The platform's first test-mode key. */
  readonly key: string;
  /** The platform's first live-mode key. */
  readonly liveKey: string;
}

/** A fresh platform (tenant) of its own for a test, created through the API with the operator key. */
export async function newPlatform(displayName = "Test Platform"): Promise<TestTenant> {
  const idempotencyKey = `platform-${randomBytes(8).toString("hex")}`;
  const data = await ok(CreatePlatform, { input: { displayName, country: "US", defaultCurrency: "USD" }, idempotencyKey }, ADMIN_API_KEY);
  return {
    accountId: idOf("account", data.createPlatform.account.id),
    key: data.createPlatform.secretKey,
    liveKey: data.createPlatform.liveSecretKey,
  };
}
