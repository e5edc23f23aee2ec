// Rows the tests need that no public mutation of the code under test creates yet.

import { newId, parseId, type AccountId, type Id, type IdKind } from "../../subgraphs/shared/ids.ts";
import { testDatabase } from "./database.ts";

export interface ConnectedAccountFixture {
  readonly tenantId: string;
  readonly defaultCurrency?: string;
  readonly status?: "PENDING_VERIFICATION" | "ACTIVE" | "RESTRICTED" | "CLOSED";
  readonly livemode?: boolean;
}

/** A connected account of a platform, written straight to the accounts table. */
export async function insertConnectedAccount(fixture: ConnectedAccountFixture): Promise<AccountId> {
  const db = await testDatabase();
  const id = newId("account");
  await db.prisma.account.create({
    data: {
      id,
      tenantId: fixture.tenantId,
      platformId: fixture.tenantId,
      livemode: fixture.livemode ?? false,
      type: "CONNECTED",
      displayName: `Connected ${id.slice(-6)}`,
      country: "US",
      defaultCurrency: fixture.defaultCurrency ?? "USD",
      status: fixture.status ?? "ACTIVE",
      payoutsEnabled: (fixture.status ?? "ACTIVE") === "ACTIVE",
    },
  });
  return id;
}

/** An id the API answered with, narrowed to its kind (what a resolver's idArgument does). */
export function idOf<K extends IdKind>(kind: K, value: string): Id<K> {
  const id = parseId(kind, value);
  if (!id) throw new Error(`not a ${kind} id: ${value}`);
  return id;
}

/**
 * A readable stand-in id for pure unit tests ("a", "t1"): the brand without the shape, so the
 * expectations can name the same short strings. Test data only; code narrows with parseId.
 */
export function testId<K extends IdKind>(_kind: K, name: string): Id<K> {
  return name as Id<K>;
}
