// Trusted documents (TRUSTED_DOCUMENTS=<manifest>): the gateway runs only the operations a
// manifest lists. The manifest is GraphQL Code Generator's persisted-documents.json (codegen.yml:
// "sha256:<hex>" -> the document's text). A request names a listed document by id (`documentId`,
// in the body or the URL, or Apollo's `extensions.persistedQuery.sha256Hash`, with or without the
// "sha256:" prefix) or carries its exact text; anything else is refused before parsing.
//
// The check is Hive Gateway's runtime's own (its `persistedDocuments` option, that is
// @graphql-yoga/plugin-persisted-operations), with our typed refusals. That plugin refuses every
// request that carries text, so a listed text is first turned into its id (useListedTextAsId,
// for HTTP; socketOperation, for graphql-ws, where a refusal must come before execution: an
// error thrown while executing would close the whole socket).

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { GraphQLError } from "graphql";
import type { GatewayConfigSupergraph, GatewayPlugin } from "@graphql-hive/gateway-runtime";

const SHA256 = "sha256:";

export class TrustedDocuments {
  private readonly textById = new Map<string, string>();
  private readonly idByText = new Map<string, string>();

  /** `manifest`: id -> document text; a "sha256:" id must be the hash of its text. */
  constructor(manifest: unknown, source = "the manifest") {
    if (!manifest || typeof manifest !== "object" || Array.isArray(manifest)) {
      throw new Error(`TRUSTED_DOCUMENTS: ${source} must be a JSON object of id -> document text`);
    }
    for (const [id, text] of Object.entries(manifest as Record<string, unknown>)) {
      if (typeof text !== "string" || text.trim() === "")
        throw new Error(`TRUSTED_DOCUMENTS: document ${id} in ${source} is not a document's text`);
      if (id.startsWith(SHA256) && id !== sha256Id(text))
        throw new Error(`TRUSTED_DOCUMENTS: document ${id} in ${source} does not hash to its id`);
      this.textById.set(id, text);
      this.idByText.set(text, id);
    }
  }

  static load(path: string): TrustedDocuments {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new Error(`TRUSTED_DOCUMENTS: cannot read ${path} (${(error as Error).message})`);
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(text);
    } catch {
      throw new Error(`TRUSTED_DOCUMENTS: ${path} is not JSON`);
    }
    return new TrustedDocuments(manifest, path);
  }

  get size(): number {
    return this.textById.size;
  }

  /** The listed document an id names; a bare sha256 (as Apollo Client sends it) names "sha256:<hex>". */
  find(id: string): { id: string; text: string } | undefined {
    const listed = /^[0-9a-f]{64}$/.test(id) ? `${SHA256}${id}` : id;
    const text = this.textById.get(listed) ?? this.textById.get(id);
    if (text === undefined) return undefined;
    return { id: this.textById.has(listed) ? listed : id, text };
  }

  /** The id of a listed document with exactly this text. */
  idOf(text: string): string | undefined {
    return this.idByText.get(text);
  }
}

function sha256Id(text: string): string {
  return `${SHA256}${createHash("sha256").update(text).digest("hex")}`;
}

// Codes a client can act on (extensions.reason once formatted: plugins/errors.ts); all HTTP 400.
const refusals = {
  // Apollo's words: Apollo Client's persisted-queries link then sends the full text (refused
  // in turn unless it is a listed document's exact text).
  notFound: { message: "PersistedQueryNotFound", extensions: { code: "PERSISTED_QUERY_NOT_FOUND", http: { status: 400 } } },
  persistedQueryOnly: {
    message:
      "Only trusted documents run here: send a listed document's id (documentId or extensions.persistedQuery.sha256Hash) or its exact text",
    extensions: { code: "OPERATION_NOT_TRUSTED", http: { status: 400 } },
  },
  keyNotFound: {
    message: "Send a listed document's id (documentId or extensions.persistedQuery.sha256Hash) or its exact text",
    extensions: { code: "BAD_REQUEST", http: { status: 400 } },
  },
} as const;

/** The runtime's `persistedDocuments` option: only listed documents, by id. */
export function persistedDocumentsOption(documents: TrustedDocuments): NonNullable<GatewayConfigSupergraph["persistedDocuments"]> {
  return {
    getPersistedOperation: (id: string) => documents.find(id)?.text ?? null,
    allowArbitraryDocuments: false,
    customErrors: refusals,
  };
}

interface Params {
  query?: unknown;
  documentId?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } & Record<string, unknown>;
  [key: string]: unknown;
}

/** The id a request names, if any (as the runtime reads it, body first). */
function namedId(params: Params): string | undefined {
  const hash = params.extensions?.persistedQuery?.sha256Hash;
  if (typeof hash === "string") return hash;
  return typeof params.documentId === "string" ? params.documentId : undefined;
}

/**
 * A request carrying a listed document's exact text, as the same request naming its id; any
 * other request unchanged. A text with an id that names another document is left to be refused.
 */
export function listedTextAsId<T extends Params>(documents: TrustedDocuments, params: T): T {
  if (typeof params.query !== "string" || params.query === "") return params;
  const id = documents.idOf(params.query);
  if (!id) return params;
  const named = namedId(params);
  if (named !== undefined && documents.find(named)?.text !== params.query) return params;
  const { query: _query, ...rest } = params;
  return { ...rest, documentId: id } as T;
}

/** HTTP: a listed text goes on as its id, before the runtime's check. */
export function useListedTextAsId(documents: TrustedDocuments): GatewayPlugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult, setRequestParserResult }) {
          if (!Array.isArray(requestParserResult))
            setRequestParserResult(listedTextAsId(documents, requestParserResult as Params) as typeof requestParserResult);
        },
      };
    },
  };
}

interface SocketPayload {
  query: string;
  /** Not graphql-ws's own: a client naming a listed document sends it beside an empty query. */
  documentId?: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/**
 * graphql-ws: the listed document a subscribe message names (by id, its `query` empty, as the
 * protocol wants a string) or carries, as its text (for the socket server's own checks) and as the
 * by-id payload the runtime runs; or the refusal, sent as the operation's `error` message.
 */
export function socketOperation(
  documents: TrustedDocuments,
  payload: SocketPayload,
): { text: string; payload: Record<string, unknown> } | GraphQLError {
  const byId = listedTextAsId(documents, { ...payload, query: payload.query === "" ? undefined : payload.query } as Params);
  if (typeof byId.query === "string")
    return new GraphQLError(refusals.persistedQueryOnly.message, { extensions: { code: refusals.persistedQueryOnly.extensions.code } });
  const id = namedId(byId);
  if (id === undefined)
    return new GraphQLError(refusals.keyNotFound.message, { extensions: { code: refusals.keyNotFound.extensions.code } });
  const listed = documents.find(id);
  if (!listed) return new GraphQLError(refusals.notFound.message, { extensions: { code: refusals.notFound.extensions.code } });
  // Named by its manifest id (whichever way the client named it): operations sharing one
  // execution are told apart by it (subscriptions/ws-server.ts).
  const { query: _query, ...rest } = byId;
  return { text: listed.text, payload: { ...rest, documentId: listed.id } };
}
