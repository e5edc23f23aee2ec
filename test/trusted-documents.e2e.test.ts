// Trusted documents: a gateway of its own with TRUSTED_DOCUMENTS set to the manifest codegen
// writes (test/generated/persisted-documents.json) runs a listed operation named by id or sent as
// its exact text, refuses anything else with a typed reason (HTTP 400; an `error` message over
// graphql-ws), and registers nothing (APQ is off); the shared gateway keeps APQ. Apollo Client's
// persisted-queries link, sending the manifest's hashes, works against it.

import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ApolloClient, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { print, type DocumentNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import type { RunningGateway } from "../gateway/server.ts";
import { BalanceChangedDocument, CreateTopupDocument, ViewerDocument } from "./generated/graphql.ts";
import { newPlatform, ok, type GraphQLErrorJson, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { connect, extraGateway, positioned, type TestWsClient } from "./support/subscriptions.ts";

const MANIFEST_PATH = fileURLToPath(new URL("./generated/persisted-documents.json", import.meta.url));
const manifest = JSON.parse(readFileSync(MANIFEST_PATH, "utf8")) as Record<string, string>;

/** The manifest id codegen gave a generated document (its __meta__.hash). */
const idOf = (document: DocumentNode) => (document as DocumentNode & { __meta__: { hash: string } }).__meta__.hash;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const VIEWER_ID = idOf(ViewerDocument);
const VIEWER_TEXT = manifest[VIEWER_ID]!;
const UNLISTED = "query Unlisted { viewer { id } }";

let platform: RunningPlatform;
let tenant: TestTenant;
let trusted: RunningGateway;
const sockets: TestWsClient[] = [];

interface Answer {
  status: number;
  data?: { viewer?: { id: string } | null } | null;
  errors?: GraphQLErrorJson[];
}

async function post(
  url: string,
  body: unknown,
  key: string | undefined = tenant.key,
  accept = "application/graphql-response+json",
): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, "status">) };
}

const persistedQuery = (sha256Hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash } } });

/** A refusal: HTTP 400, nothing ran, one error whose reason says why. */
function expectRefused(answer: Answer, reason: string): void {
  expect(answer.status).toBe(400);
  expect(answer.data ?? null).toBeNull();
  expect(answer.errors).toEqual([
    expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", reason, requestId: expect.any(String) } }),
  ]);
}

beforeAll(async () => {
  platform = await testPlatform();
  tenant = await newPlatform("Trusted Platform");
  trusted = await extraGateway(platform, { TRUSTED_DOCUMENTS: MANIFEST_PATH });
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await trusted?.stop();
});

describe("a gateway with TRUSTED_DOCUMENTS", () => {
  it("runs a listed operation named by its id: documentId, or Apollo's persistedQuery hash with or without its prefix", async () => {
    for (const body of [{ documentId: VIEWER_ID }, persistedQuery(VIEWER_ID), persistedQuery(VIEWER_ID.replace(/^sha256:/, ""))]) {
      const answer = await post(trusted.url, body);
      expect(answer.errors, JSON.stringify(body)).toBeUndefined();
      expect(answer.status).toBe(200);
      expect(answer.data?.viewer?.id).toBe(tenant.accountId);
    }
    // GET, the id in the URL (GraphQL over HTTP's persisted documents).
    const response = await fetch(`${trusted.url}?documentId=${encodeURIComponent(VIEWER_ID)}`, {
      headers: { authorization: `Bearer ${tenant.key}`, accept: "application/json" },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Answer).data?.viewer?.id).toBe(tenant.accountId);
  });

  it("runs a listed operation sent as its exact text, with or without its hash", async () => {
    for (const body of [{ query: VIEWER_TEXT }, { query: VIEWER_TEXT, ...persistedQuery(sha256(VIEWER_TEXT)) }]) {
      const answer = await post(trusted.url, body);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.viewer?.id).toBe(tenant.accountId);
    }
  });

  it("refuses any other text with OPERATION_NOT_TRUSTED, even the same operation spelled otherwise", async () => {
    expectRefused(await post(trusted.url, { query: UNLISTED }), "OPERATION_NOT_TRUSTED");
    expectRefused(await post(trusted.url, { query: UNLISTED }, tenant.key, "application/json"), "OPERATION_NOT_TRUSTED");
    expectRefused(await post(trusted.url, { query: print(ViewerDocument) }), "OPERATION_NOT_TRUSTED");
    // A listed text under another document's id.
    expectRefused(await post(trusted.url, { query: VIEWER_TEXT, documentId: idOf(CreateTopupDocument) }), "OPERATION_NOT_TRUSTED");
  });

  it("refuses an id it does not list with PERSISTED_QUERY_NOT_FOUND, and a request naming nothing", async () => {
    const unknown = await post(trusted.url, { documentId: `sha256:${sha256(UNLISTED)}` });
    expectRefused(unknown, "PERSISTED_QUERY_NOT_FOUND");
    expectRefused(
      await post(trusted.url, { documentId: `sha256:${sha256(UNLISTED)}` }, tenant.key, "application/json"),
      "PERSISTED_QUERY_NOT_FOUND",
    );
    // Apollo's words, which Apollo Client's persisted-queries link acts on.
    expect(unknown.errors?.[0]?.message).toBe("PersistedQueryNotFound");
    expectRefused(await post(trusted.url, persistedQuery(sha256(UNLISTED))), "PERSISTED_QUERY_NOT_FOUND");
    expectRefused(await post(trusted.url, { variables: {} }), "BAD_REQUEST");
  });

  it("refuses introspection, which no manifest of client operations lists (as Apollo Router does)", async () => {
    expectRefused(await post(trusted.url, { query: "{ __schema { queryType { name } } }" }, undefined), "OPERATION_NOT_TRUSTED");
  });

  it("registers nothing through APQ: the text with its hash is refused, and the hash stays unknown", async () => {
    expectRefused(await post(trusted.url, { query: UNLISTED, ...persistedQuery(sha256(UNLISTED)) }), "OPERATION_NOT_TRUSTED");
    expectRefused(await post(trusted.url, persistedQuery(sha256(UNLISTED))), "PERSISTED_QUERY_NOT_FOUND");
  });

  describe("over graphql-ws", () => {
    type Outcome = { errors: readonly GraphQLErrorJson[] } | { data: unknown };

    /** The first message of an operation: its `error` (refused before execution) or its first result. */
    function first(
      socket: TestWsClient,
      payload: { query: string; documentId?: string; variables?: Record<string, unknown> },
    ): Promise<Outcome> {
      return new Promise((resolve) => {
        const unsubscribe = socket.client.subscribe(payload, {
          next: (result) => {
            unsubscribe();
            resolve(result.errors ? { errors: result.errors as GraphQLErrorJson[] } : { data: result.data });
          },
          error: (error) => resolve({ errors: error as GraphQLErrorJson[] }),
          complete: () => {},
        });
      });
    }

    it("runs a listed operation by text or by id, and refuses others before execution", async () => {
      const socket = connect(trusted.url, tenant.key);
      sockets.push(socket);
      expect(await first(socket, { query: VIEWER_TEXT })).toEqual({ data: { viewer: expect.objectContaining({ id: tenant.accountId }) } });
      // The protocol wants a string: an empty one, and the id beside it.
      expect(await first(socket, { query: "", documentId: VIEWER_ID })).toEqual({
        data: { viewer: expect.objectContaining({ id: tenant.accountId }) },
      });
      const refusal = (reason: string) => ({
        errors: [expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", reason, requestId: expect.any(String) } })],
      });
      expect(await first(socket, { query: UNLISTED })).toEqual(refusal("OPERATION_NOT_TRUSTED"));
      expect(await first(socket, { query: `subscription { balanceChanged(accountId: "${tenant.accountId}") { id } }` })).toEqual(
        refusal("OPERATION_NOT_TRUSTED"),
      );
      expect(await first(socket, { query: "", documentId: `sha256:${sha256(UNLISTED)}` })).toEqual(refusal("PERSISTED_QUERY_NOT_FOUND"));
      // The socket lives on: refusals end one operation, not the connection.
      expect(socket.closes).toEqual([]);
    });

    it("runs a listed subscription: its events arrive", async () => {
      const socket = connect(trusted.url, tenant.key);
      sockets.push(socket);
      const ready = positioned(trusted);
      const event = first(socket, { query: manifest[idOf(BalanceChangedDocument)]!, variables: { accountId: tenant.accountId } });
      await ready();
      await ok(
        CreateTopupDocument,
        { input: { accountId: tenant.accountId, amount: "777", currency: "USD" }, key: randomUUID() },
        tenant.key,
      );
      const outcome = (await event) as { data: { balanceChanged: { account: { id: string } } } };
      expect(outcome.data.balanceChanged.account.id).toBe(tenant.accountId);
    });
  });

  describe("Apollo Client with its persisted-queries link", () => {
    /**
     * Apollo Client whose link sends, for a generated document, the manifest's id codegen embedded
     * in it (__meta__.hash, as GraphQL Code Generator's docs wire it); for any other, its sha256.
     */
    function apolloClient(url: string, sent: string[]) {
      return new ApolloClient({
        cache: new InMemoryCache(),
        link: new PersistedQueryLink({
          generateHash: (document) => (document as { __meta__?: { hash?: string } }).__meta__?.hash ?? sha256(print(document)),
        }).concat(
          new HttpLink({
            uri: url,
            headers: { authorization: `Bearer ${tenant.key}` },
            fetch: async (input, init) => {
              sent.push(String(init?.body));
              return fetch(input, init);
            },
          }),
        ),
      });
    }

    it("runs a listed operation by its hash alone", async () => {
      const sent: string[] = [];
      const client = apolloClient(trusted.url, sent);
      // no-cache: Apollo's cache would ask for __typename, which this manifest's documents lack.
      const result = await client.query({ query: ViewerDocument, fetchPolicy: "no-cache" });
      expect(result.data?.viewer.id).toBe(tenant.accountId);
      expect(sent).toHaveLength(1);
      expect(JSON.parse(sent[0]!)).toMatchObject({ extensions: { persistedQuery: { version: 1, sha256Hash: VIEWER_ID } } });
      expect(JSON.parse(sent[0]!)).not.toHaveProperty("query");
      client.stop();
    });

    it("is refused an unlisted operation, after retrying with its text", async () => {
      const sent: string[] = [];
      const client = apolloClient(trusted.url, sent);
      await expect(client.query({ query: gql(UNLISTED), fetchPolicy: "no-cache" })).rejects.toThrow(/Only trusted documents/);
      expect(sent).toHaveLength(2);
      client.stop();
    });

    it("registers and reuses an operation through APQ on the default gateway", async () => {
      const sent: string[] = [];
      const client = apolloClient(platform.gateway!.url, sent);
      const query = gql(`query ApqOnly${randomUUID().replace(/-/g, "")} { viewer { id } }`);
      // First: the hash alone (unknown), then the text with it (registered).
      expect((await client.query({ query, fetchPolicy: "no-cache" })).data).toMatchObject({ viewer: { id: tenant.accountId } });
      expect(sent.map((body) => "query" in (JSON.parse(body) as object))).toEqual([false, true]);
      // Then the hash alone is enough.
      expect((await client.query({ query, fetchPolicy: "no-cache" })).data).toMatchObject({ viewer: { id: tenant.accountId } });
      expect(sent.map((body) => "query" in (JSON.parse(body) as object))).toEqual([false, true, false]);
      client.stop();
    });
  });
});
