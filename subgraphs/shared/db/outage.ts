// One process's view of a database outage, so that it is logged once when it starts and once
// when it ends, however many requests, worker polls and event reads run into it meanwhile (a
// stack per poll buries the one line an operator needs). Whoever catches an error reports it
// here; errors that are not an outage are left to the caller to log as before.

import type { Logger } from "../logger.ts";
import { isDatabaseUnavailable, outageReason } from "./unavailable.ts";

export interface OutageReporter {
  /** True when `error` means the database is unreachable (then logged here, once per outage). */
  report(error: unknown): boolean;
  /** A database call just succeeded: any outage is over. */
  available(): void;
}

export interface DatabaseOutageOptions {
  readonly logger: Logger;
  /** A cheap statement that succeeds once the database is back (SELECT 1). */
  readonly probe: () => Promise<unknown>;
  /** How often the probe runs during an outage, for processes with nothing else to notice the end. */
  readonly probeEveryMs?: number;
}

export class DatabaseOutage implements OutageReporter {
  private since: number | undefined;
  private probing: NodeJS.Timeout | undefined;

  constructor(private readonly options: DatabaseOutageOptions) {}

  get ongoing(): boolean {
    return this.since !== undefined;
  }

  report(error: unknown): boolean {
    const reason = outageReason(error);
    if (reason === undefined) return false;
    if (this.since === undefined) {
      this.since = Date.now();
      this.options.logger.error({ reason }, "database unreachable; answering SERVICE_UNAVAILABLE until it is back");
      this.startProbing();
    }
    return true;
  }

  available(): void {
    if (this.since === undefined) return;
    const downForMs = Date.now() - this.since;
    this.since = undefined;
    clearInterval(this.probing);
    this.probing = undefined;
    this.options.logger.warn({ downForMs }, `database reachable again after ${downForMs} ms`);
  }

  stop(): void {
    clearInterval(this.probing);
    this.probing = undefined;
  }

  private startProbing(): void {
    let inFlight = false;
    this.probing = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      this.options
        .probe()
        .then(
          () => this.available(),
          (error: unknown) => {
            // Anything but the outage itself (the database was closed on shutdown): stop asking.
            if (!isDatabaseUnavailable(error)) this.stop();
          },
        )
        .finally(() => (inFlight = false));
    }, this.options.probeEveryMs ?? 1_000);
    // The probe never keeps a process alive that has nothing else left to do.
    this.probing.unref();
  }
}
