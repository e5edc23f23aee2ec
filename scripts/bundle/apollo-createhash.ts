// What the bundles (scripts/build.ts) hold in place of @apollo/utils.createhash, with which Apollo
// Server hashes every operation's text (its document cache key). The package picks Node's crypto
// only when `module.require` exists, which esbuild's wrapper of a CommonJS module does not give:
// bundled as it is, it hashed every query with sha.js, SHA-256 in JavaScript.

import { createHash as nodeCreateHash, type Hash } from "node:crypto";

export function createHash(kind: string): Hash {
  return nodeCreateHash(kind);
}
