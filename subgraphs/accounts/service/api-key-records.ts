// Reading a platform's API keys for use cases and resolvers: never the secret (only its hash is
// stored), and only the modes the caller reaches (domain/api-key.ts, applied by the store).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { notFound } from "../../shared/errors.ts";
import { apiKeyById, listApiKeyRows, type ApiKeyRecord } from "../store/api-keys.ts";

export type { ApiKeyRecord } from "../store/api-keys.ts";

/** Newest first; without `includeInactive`, only keys that still work. */
export function listApiKeys(
  deps: Dependencies,
  principal: PlatformPrincipal,
  includeInactive: boolean,
  now = new Date(),
): Promise<ApiKeyRecord[]> {
  return listApiKeyRows(deps.db.sql, principal, includeInactive, now);
}

export async function getApiKey(sql: SqlClient, principal: PlatformPrincipal, id: string): Promise<ApiKeyRecord> {
  const key = await apiKeyById(sql, principal, id);
  if (!key) throw notFound("API key", id);
  return key;
}
