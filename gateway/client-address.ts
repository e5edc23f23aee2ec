// Who a client is, for what the gateway counts per address (failed authentications, keyless
// requests): the peer's address, or, behind proxies named by TRUST_PROXY, the client they forward
// for (X-Forwarded-For). Express's rule for `req.ip`, for HTTP requests and graphql-ws upgrades.

import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";
import type { TrustProxy } from "../subgraphs/shared/config.ts";

/** The address of a request's client under `trust` (TRUST_PROXY), as Express computes `req.ip`. */
export function clientAddresses(trust: TrustProxy): (request: IncomingMessage) => string {
  const trusted: (address: string, hop: number) => boolean =
    trust === true
      ? () => true
      : typeof trust === "number"
        ? (_address, hop) => hop < trust
        : proxyAddr.compile(trust === false ? [] : [...trust]);
  return (request) => proxyAddr(request, trusted);
}
