// The balances subgraph's long-lived parts: the transfer group commit (one per process), the
// balance event hub (one database listener per process, opened by the first subscriber) and what
// live events refer to, loaded once per event for all their subscribers. Built
// by createDependencies (subgraphs/dependencies.ts) and stopped with it: the batcher commits what
// it holds, the hub closes its listener.

import type { CoreDependencies } from "../shared/context.ts";
import { BalanceEventHub } from "./events/hub.ts";
import { BalanceEventDetails } from "./service/balance-event-details.ts";
import { TransferBatcher } from "./service/transfer-batcher.ts";

declare module "../shared/context.ts" {
  interface ModuleServices {
    readonly balances: BalancesServices;
  }
}

export class BalancesServices {
  readonly transfers: TransferBatcher;
  readonly events: BalanceEventHub;
  readonly eventDetails: BalanceEventDetails;

  constructor(deps: CoreDependencies) {
    this.transfers = new TransferBatcher(deps);
    this.eventDetails = new BalanceEventDetails(deps);
    this.events = new BalanceEventHub({
      db: deps.db,
      logger: deps.logger.child({ component: "balance-events" }),
      outage: deps.outage,
      pollMs: deps.config.BALANCE_EVENTS_POLL_MS,
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.transfers.stop(), this.events.stop()]);
  }
}
