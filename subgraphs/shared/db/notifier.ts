// NOTIFY after commit, coalesced. A transaction that issues NOTIFY holds Postgres's
// notification-queue lock from its commit until the commit is durable, so every committing
// transaction that notifies waits for the previous one's WAL flush: notifying inside the
// money path's transactions serializes their commits. The notifier sends instead from outside
// any transaction, once the change has committed: what arrives while a send is in flight goes
// out together in the next one, each payload once.
//
// A notification is a wake-up, never the data: one lost to a crash between commit and send is
// covered by the listener's periodic re-read (the balance event hub polls).

export type SendNotifications = (channel: string, payloads: readonly string[]) => Promise<void>;

export class Notifier {
  private pending = new Map<string, Set<string>>();
  private sending: Promise<void> | undefined;

  constructor(
    private readonly send: SendNotifications,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  notify(channel: string, payloads: readonly string[]): void {
    if (payloads.length === 0) return;
    let set = this.pending.get(channel);
    if (!set) {
      set = new Set();
      this.pending.set(channel, set);
    }
    for (const payload of payloads) set.add(payload);
    this.sending ??= this.drain();
  }

  /** Resolves once everything notified so far has been sent (or has failed to be). */
  async flushed(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = this.pending;
        this.pending = new Map();
        for (const [channel, payloads] of batch) {
          await this.send(channel, [...payloads]).catch(this.onError);
        }
      }
    } finally {
      this.sending = undefined;
    }
  }
}
