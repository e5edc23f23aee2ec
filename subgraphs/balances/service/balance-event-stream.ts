// balanceChanged: one account's balance events, in commit order, optionally resumed after a
// given event. Errors: FORBIDDEN (not a platform key), NOT_FOUND (the account is not the
// tenant's; `after` is not an event of that account in this mode), BAD_USER_INPUT (`after` is
// not an event id).

import type { PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import { AppError, badInput } from "../../shared/errors.ts";
import { parseId } from "../../shared/ids.ts";
import { findEventSeq, latestEventId, type BalanceEventRow } from "../../ledger/api.ts";
import type { BalanceEventHub } from "../events/hub.ts";
import { streamBalanceEvents } from "../events/stream.ts";
import { assertAccountVisible } from "./account-scope.ts";

export interface BalanceEventStreamArgs {
  readonly accountId: string;
  /** Resume after this event: every later event, then live ones. */
  readonly after?: string | null | undefined;
  /** The gateway's resume of a stream that had no position yet: every event of the account. */
  readonly fromStart?: boolean | null | undefined;
  /** Begin with each currency's newest event at the start position (the balances there). */
  readonly current?: boolean | null | undefined;
}

export async function openBalanceEventStream(
  deps: Dependencies,
  hub: BalanceEventHub,
  principal: PlatformPrincipal,
  args: BalanceEventStreamArgs,
): Promise<AsyncIterableIterator<BalanceEventRow>> {
  const scope = { tenantId: principal.tenantId, livemode: principal.livemode };
  await assertAccountVisible(deps, principal, args.accountId);
  let start: bigint | "live" = args.fromStart ? 0n : "live";
  if (args.after != null) {
    if (args.fromStart) throw badInput("Give either `after` or a start from the beginning, not both", "after");
    if (!parseId("balanceEvent", args.after)) throw badInput("`after` must be a balance event id (evt_…)", "after");
    const seq = await findEventSeq(deps.db, scope, args.accountId, args.after);
    if (seq === undefined) throw new AppError("NOT_FOUND", `No such balance event for this account: '${args.after}'`, { id: args.after });
    start = seq;
  }
  return streamBalanceEvents({
    hub,
    db: deps.db,
    scope,
    accountId: args.accountId,
    start,
    current: args.current === true,
    bufferEvents: deps.config.SUBSCRIPTION_BUFFER_EVENTS,
  });
}

/**
 * The newest event of an account (null when it has none): where a subscription without `after`
 * starts, so the gateway can resume it without loss even before it has seen an event.
 */
export async function latestBalanceEvent(deps: Dependencies, principal: PlatformPrincipal, accountId: string): Promise<string | null> {
  await assertAccountVisible(deps, principal, accountId);
  return latestEventId(deps.db, { tenantId: principal.tenantId, livemode: principal.livemode }, accountId);
}
