import type { SubgraphContext } from "../../shared/context.ts";
import { Account } from "./account.type.ts";
import { accountLoader } from "./account.loader.ts";

/** `_entities` for Account: other tenants' ids resolve to null, exactly like unknown ids. */
export async function resolveAccountReference(reference: { id: string }, context: SubgraphContext): Promise<Account | null> {
  const row = await accountLoader(context).load(reference.id);
  return row ? Account.from(row) : null;
}
