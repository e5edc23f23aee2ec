// What the clients did and saw, for the checks at the end: every request with its definite
// answer (or none), the objects acknowledged per idempotency key, and what broke on the way.

import type { Answered, Definite } from "./client.ts";

export type OperationKind = "topup" | "transfer" | "payout" | "cancel";
/** How a request relates to its key: the first use, an identical replay, a conflicting reuse, a concurrent duplicate. */
export type Usage = "first" | "replay" | "reuse" | "duplicate";

export interface Request {
  readonly kind: OperationKind;
  readonly usage: Usage;
  readonly tenant: string;
  readonly key: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly answered: Answered;
}

export interface Acknowledged {
  readonly kind: OperationKind;
  readonly tenant: string;
  readonly key: string;
  readonly variables: Record<string, unknown>;
  readonly id: string;
  /** topup, transfer: the amount; payout: amount + fee (what left the balance). */
  readonly debitOrCredit: bigint;
  /** Transfers and payouts: the account the money went to or left. */
  readonly accountId: string;
  /** Payouts: whether the destination is a test account whose payouts fail. */
  readonly failingDestination?: boolean;
}

export class History {
  readonly requests: Request[] = [];
  readonly acknowledged = new Map<string, Acknowledged>();
  readonly violations = new Map<string, string[]>();
  /** Keys whose outcome stayed unknown (no definite answer within the client's patience). */
  readonly unknown = new Map<string, OperationKind>();

  violation(kind: string, detail: string): void {
    const list = this.violations.get(kind) ?? [];
    list.push(detail);
    this.violations.set(kind, list);
  }

  record(request: Request): Definite | undefined {
    this.requests.push(request);
    for (const broken of request.answered.contractBreaks)
      this.violation("retry contract broken", `${request.kind} ${request.key}: ${broken}`);
    if (!request.answered.definite) {
      this.unknown.set(`${request.tenant}:${request.key}`, request.kind);
      this.violation(
        "no definite answer",
        `${request.kind} ${request.key} after ${Math.round(request.answered.ms)} ms: ${JSON.stringify(request.answered.retried)}`,
      );
    }
    return request.answered.definite;
  }

  acknowledge(ack: Acknowledged): void {
    const id = `${ack.tenant}:${ack.key}`;
    const earlier = this.acknowledged.get(id);
    if (earlier && earlier.id !== ack.id) this.violation("one key, two objects", `${ack.kind} ${ack.key}: ${earlier.id} and ${ack.id}`);
    if (!earlier) this.acknowledged.set(id, ack);
    this.unknown.delete(id);
  }

  violationCount(): number {
    let count = 0;
    for (const list of this.violations.values()) count += list.length;
    return count;
  }
}
