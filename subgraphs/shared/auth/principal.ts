// Who is calling. The gateway authenticates the API key and forwards the principal to the
// subgraphs in a signed header; subgraphs trust nothing else.

import type { AccountId } from "../ids.ts";

export type Principal =
  /** A platform's secret key: reaches that platform and its connected accounts, in one mode. */
  | { readonly kind: "platform"; readonly tenantId: AccountId; readonly livemode: boolean; readonly keyId: string }
  /** The operator key (ADMIN_API_KEY): may only create platforms. */
  | { readonly kind: "operator" }
  /** The gateway itself, for internal calls such as key verification. */
  | { readonly kind: "gateway" };

export type PlatformPrincipal = Extract<Principal, { kind: "platform" }>;
export type OperatorPrincipal = Extract<Principal, { kind: "operator" }>;

/** The scope that idempotency keys and rate limits belong to (the operator's keys: its own). */
export function principalScope(principal: PlatformPrincipal | OperatorPrincipal): string {
  if (principal.kind === "operator") return "operator";
  return `${principal.tenantId}:${principal.livemode ? "live" : "test"}`;
}
