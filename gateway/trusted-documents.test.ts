import { createHash } from "node:crypto";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { listedTextAsId, socketOperation, TrustedDocuments } from "./trusted-documents.ts";

const TEXT = "query Me { viewer { id } }";
const HEX = createHash("sha256").update(TEXT).digest("hex");
const ID = `sha256:${HEX}`;
const documents = new TrustedDocuments({ [ID]: TEXT });

describe("a trusted-documents manifest", () => {
  it("finds a document by its id, or by the bare hash Apollo Client sends", () => {
    expect(documents.find(ID)).toEqual({ id: ID, text: TEXT });
    expect(documents.find(HEX)).toEqual({ id: ID, text: TEXT });
    expect(documents.find("sha256:" + "0".repeat(64))).toBeUndefined();
    expect(documents.idOf(TEXT)).toBe(ID);
    expect(documents.idOf(`${TEXT} `)).toBeUndefined();
  });

  it("stops start-up when it is not a manifest, or an id is not its text's hash", () => {
    expect(() => new TrustedDocuments([TEXT])).toThrow(/JSON object of id -> document text/);
    expect(() => new TrustedDocuments({ [ID]: 42 })).toThrow(/not a document's text/);
    expect(() => new TrustedDocuments({ [ID]: `${TEXT}\n` })).toThrow(/does not hash to its id/);
    expect(() => TrustedDocuments.load("/nonexistent/persisted-documents.json")).toThrow(/TRUSTED_DOCUMENTS: cannot read/);
  });
});

describe("a listed text, as its id", () => {
  it("replaces the text of a listed document by its id, keeping the rest", () => {
    expect(listedTextAsId(documents, { query: TEXT, operationName: "Me", variables: { a: 1 } })).toEqual({
      documentId: ID,
      operationName: "Me",
      variables: { a: 1 },
    });
    expect(listedTextAsId(documents, { query: TEXT, extensions: { persistedQuery: { version: 1, sha256Hash: HEX } } })).toEqual({
      documentId: ID,
      extensions: { persistedQuery: { version: 1, sha256Hash: HEX } },
    });
  });

  it("leaves any other request as it is (for the runtime to refuse)", () => {
    for (const params of [{ query: "{ viewer { id } }" }, { query: TEXT, documentId: "sha256:" + "1".repeat(64) }, { documentId: ID }]) {
      expect(listedTextAsId(documents, params)).toBe(params);
    }
  });

  it("over graphql-ws: the text to check and the by-id payload to run, or the refusal", () => {
    expect(socketOperation(documents, { query: TEXT, variables: null })).toEqual({
      text: TEXT,
      payload: { documentId: ID, variables: null },
    });
    expect(socketOperation(documents, { query: "", extensions: { persistedQuery: { version: 1, sha256Hash: HEX } } })).toEqual({
      text: TEXT,
      payload: { documentId: ID, extensions: { persistedQuery: { version: 1, sha256Hash: HEX } } },
    });
    const code = (outcome: ReturnType<typeof socketOperation>) => (outcome instanceof GraphQLError ? outcome.extensions["code"] : "ran");
    expect(code(socketOperation(documents, { query: "{ viewer { id } }" }))).toBe("OPERATION_NOT_TRUSTED");
    expect(code(socketOperation(documents, { query: "" }))).toBe("BAD_REQUEST");
    expect(code(socketOperation(documents, { query: "", documentId: "sha256:" + "0".repeat(64) }))).toBe("PERSISTED_QUERY_NOT_FOUND");
  });
});
