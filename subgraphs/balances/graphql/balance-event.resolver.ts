import { Arg, Args, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root, Subscription } from "type-graphql";
import { platformOf, type SubgraphContext } from "../../shared/context.ts";
import type { BalanceEventRow } from "../../ledger/api.ts";
import { latestBalanceEvent, openBalanceEventStream } from "../service/balance-event-stream.ts";
import { BalanceChangedArgs } from "./balance-changed.args.ts";
import { BalanceEvent } from "./balance-event.type.ts";
import { BalanceTransaction } from "./balance-transaction.type.ts";

@Resolver(() => BalanceEvent)
export class BalanceEventResolver {
  @Subscription(() => BalanceEvent, {
    description:
      "One event per committed change of the account's balance, in commit order. Without `after`: changes from now on. " +
      "With `after` (an event id): every later event first, then live ones, none missed or repeated. " +
      "With `current: true`: first the balances where it starts (each currency's newest event), so a live view needs no separate read.",
    subscribe: ({ args, context }) =>
      openBalanceEventStream(
        (context as SubgraphContext).deps,
        (context as SubgraphContext).deps.balances.events,
        platformOf(context as SubgraphContext),
        // `subscribe` sees the raw arguments, already coerced by GraphQL: the shape of BalanceChangedArgs.
        args as BalanceChangedArgs,
      ),
  })
  balanceChanged(@Root() row: BalanceEventRow, @Args(() => BalanceChangedArgs) _args: BalanceChangedArgs): BalanceEvent {
    return BalanceEvent.from(row);
  }

  @FieldResolver(() => BalanceTransaction, { nullable: true, description: "The change's entry in the account's history." })
  async balanceTransaction(@Root() event: BalanceEvent, @Ctx() context: SubgraphContext): Promise<BalanceTransaction | null> {
    platformOf(context);
    const row = await context.deps.balances.eventDetails.balanceTransactionOf(event.row);
    return row && BalanceTransaction.from(row);
  }

  /** Where a subscription without `after` starts; lets the gateway resume it without loss. */
  @Directive("@inaccessible")
  @Query(() => ID, { nullable: true })
  async _latestBalanceEvent(@Arg("accountId", () => ID) accountId: string, @Ctx() context: SubgraphContext): Promise<string | null> {
    return latestBalanceEvent(context.deps, platformOf(context), accountId);
  }
}
