// The gateway-to-subgraph trust boundary: an HMAC-SHA256 over a timestamp, the principal and
// the operation it is for.
//
//   x-mg-principal: base64url(JSON principal)
//   x-mg-timestamp: unix milliseconds
//   x-mg-signature: hex(HMAC(secret, "v2." + timestamp + "." + principal header + "." + operation digest))
//
// The operation digest is the sha256 of [query, operationName, variables] as JSON (what the
// subgraph parses out of the request body, or out of a graphql-ws subscribe message), so a
// captured signature cannot carry another query or other variables; a graphql-ws connection's
// own signature (the gateway's socket) is for no operation and cannot authorize one. A request
// without all three headers, with a bad signature, or older than the allowed skew is refused
// before GraphQL sees it, so no field (`_entities` included) is reachable around the gateway.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Principal } from "./principal.ts";

export const PRINCIPAL_HEADER = "x-mg-principal";
export const TIMESTAMP_HEADER = "x-mg-timestamp";
export const SIGNATURE_HEADER = "x-mg-signature";

/**
 * Over graphql-ws one gateway socket carries many callers' operations, so the socket is signed as
 * the gateway (connectionParams) and each operation carries its caller's SignedHeaders under this
 * key of the subscribe message's `extensions`.
 */
export const PRINCIPAL_EXTENSION = "signedPrincipal";

export type SignedHeaders = Record<typeof PRINCIPAL_HEADER | typeof TIMESTAMP_HEADER | typeof SIGNATURE_HEADER, string>;

/** What a signature is for: one GraphQL operation as sent, or (undefined) a connection. */
export interface SignedOperation {
  readonly query?: unknown;
  readonly operationName?: unknown;
  readonly variables?: unknown;
}

/** The operation's digest: over exactly the fields a subgraph executes. */
export function operationDigest(operation: SignedOperation | undefined): string {
  if (!operation) return "connection";
  const canonical = JSON.stringify([operation.query ?? null, operation.operationName ?? null, operation.variables ?? null]);
  return createHash("sha256").update(canonical).digest("base64url");
}

function mac(secret: string, timestamp: string, encodedPrincipal: string, digest: string): string {
  return createHmac("sha256", secret).update(`v2.${timestamp}.${encodedPrincipal}.${digest}`).digest("hex");
}

const encoded = new WeakMap<Principal, string>();

/**
 * The principal header's value: the principal as base64url JSON. Remembered per principal object
 * (the gateway's key cache hands out one object per key while it is cached, and a request's
 * subgraph calls all encode it); principals are never changed once made.
 */
export function encodePrincipal(principal: Principal): string {
  let value = encoded.get(principal);
  if (value === undefined) {
    value = Buffer.from(JSON.stringify(principal)).toString("base64url");
    encoded.set(principal, value);
  }
  return value;
}

/** Signs `principal` for one operation (undefined: for a graphql-ws connection itself). */
export function signPrincipal(
  principal: Principal,
  secret: string,
  operation: SignedOperation | undefined,
  now = Date.now(),
): SignedHeaders {
  const header = encodePrincipal(principal);
  const timestamp = String(now);
  return {
    [PRINCIPAL_HEADER]: header,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: mac(secret, timestamp, header, operationDigest(operation)),
  };
}

/** `signedAt`: the signature's timestamp (the signer's clock), for how long it may still count. */
export type VerifyResult = { ok: true; principal: Principal; signedAt: number } | { ok: false; reason: string };

type HeaderValue = string | string[] | undefined;

/** Checks a signature for `operation` (undefined: for a graphql-ws connection itself). */
export function verifyPrincipal(
  headers: Record<string, HeaderValue>,
  secret: string,
  maxSkewMs: number,
  operation: SignedOperation | undefined,
  now = Date.now(),
): VerifyResult {
  const single = (name: string) => {
    const value = headers[name];
    return typeof value === "string" ? value : undefined;
  };
  const encoded = single(PRINCIPAL_HEADER);
  const timestamp = single(TIMESTAMP_HEADER);
  const signature = single(SIGNATURE_HEADER);
  if (!encoded || !timestamp || !signature) return { ok: false, reason: "missing gateway signature" };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: "malformed timestamp" };
  if (Math.abs(now - Number(timestamp)) > maxSkewMs) return { ok: false, reason: "stale signature" };

  const expected = Buffer.from(mac(secret, timestamp, encoded, operationDigest(operation)), "hex");
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad signature" };
  }
  try {
    const principal = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as Principal;
    if (!principal || typeof principal !== "object" || typeof principal.kind !== "string") {
      return { ok: false, reason: "malformed principal" };
    }
    return { ok: true, principal, signedAt: Number(timestamp) };
  } catch {
    return { ok: false, reason: "malformed principal" };
  }
}
