// Who a client is, for what the gateway counts per address (failed authentications, keyless
// requests): the peer's address, or, behind proxies named by TRUST_PROXY, the client they forward
// for (X-Forwarded-For). Express's own rule (`req.ip`), applied to graphql-ws upgrade requests too.

import type { IncomingMessage } from "node:http";
import type { Express } from "express";
import proxyAddr from "proxy-addr";
import type { TrustProxy } from "../subgraphs/shared/config.ts";

/** Sets Express's `trust proxy` and returns the same rule for requests Express does not see. */
export function clientAddresses(app: Express, trust: TrustProxy): (request: IncomingMessage) => string {
  app.set("trust proxy", trust);
  const trusted = app.get("trust proxy fn") as (address: string, hop: number) => boolean;
  return (request) => proxyAddr(request, trusted);
}
