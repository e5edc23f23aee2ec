// First-run convenience for `npm start`: a demo platform and its secret key, kept in DATA_DIR
// (a developer's local directory, never production) so later starts can print the same key.

import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Dependencies } from "../../shared/context.ts";
import type { AccountId } from "../../shared/ids.ts";
import { authenticateSecret } from "./authenticate.ts";
import { insertPlatform } from "./create-platform.ts";

export interface DemoPlatform {
  readonly accountId: AccountId;
  readonly secretKey: string;
  readonly created: boolean;
}

export async function seedDemoPlatform(deps: Dependencies, dataDir: string): Promise<DemoPlatform> {
  const file = join(dataDir, "demo-platform.json");
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { accountId: AccountId; secretKey: string };
    // The database may have been reset (or DATABASE_URL changed) since: trust it, not the file.
    if (await authenticateSecret(deps, saved.secretKey)) return { ...saved, created: false };
  }
  const { account, secretKey } = await insertPlatform(deps, { displayName: "Demo Platform", country: "US", defaultCurrency: "USD" });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ accountId: account.id, secretKey }, null, 2), { mode: 0o600 });
  return { accountId: account.id, secretKey, created: true };
}
