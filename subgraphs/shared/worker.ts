// The loop every background worker runs (top-up settlement, the bank rail, the chain): drain
// what is due, sleep `pollMs`, repeat; log and carry on after a failure; stop promptly. The
// work itself lives in the subgraphs; its state lives in the database, so a restarted worker
// picks up where a stopped (or killed) one left off.

import type { Logger } from "./logger.ts";

export interface Worker {
  stop(): Promise<void>;
}

export interface PollingWorkerOptions {
  readonly logger: Logger;
  readonly pollMs: number;
  /** Does one round of work; `stopped()` tells a long round to finish early. */
  readonly round: (stopped: () => boolean) => Promise<void>;
}

export function startPollingWorker(options: PollingWorkerOptions): Worker {
  let stopped = false;
  let wake: (() => void) | undefined;
  const isStopped = () => stopped;

  const loop = (async () => {
    while (!stopped) {
      try {
        await options.round(isStopped);
      } catch (error) {
        if (!stopped) options.logger.error({ err: error }, "worker round failed; retrying");
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.pollMs);
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
