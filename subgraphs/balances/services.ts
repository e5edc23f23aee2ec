// The balances subgraph's long-lived parts: the balance event hub (one database listener per
// process). Started when the subgraph is served, stopped after its server has drained.

import type { Dependencies, SubgraphContext, SubgraphServices } from "../shared/context.ts";
import { BalanceEventHub } from "./events/hub.ts";

export class BalancesServices implements SubgraphServices {
  readonly events: BalanceEventHub;

  constructor(deps: Dependencies) {
    this.events = new BalanceEventHub({
      db: deps.db,
      logger: deps.logger.child({ component: "balance-events" }),
      outage: deps.outage,
      pollMs: deps.config.BALANCE_EVENTS_POLL_MS,
    });
  }

  stop(): Promise<void> {
    return this.events.stop();
  }
}

export function balancesServices(context: SubgraphContext): BalancesServices {
  if (context.services instanceof BalancesServices) return context.services;
  throw new Error("the balances subgraph is served without its services");
}
