// The clients: each loops over a random mix of the bank's operations until told to stop, then
// finishes what it started (its last operation still gets a definite answer). Besides new
// operations it sends identical replays of its acknowledged ones (the same object must come
// back), conflicting reuses of their keys (IDEMPOTENCY_KEY_REUSED, nothing executed) and
// concurrent duplicates of a new one (at most one execution, every success the same object).

import { cancel, conflicting, payout, perform, topup, transfer, type Operation, type Performer } from "./operations.ts";
import type { History } from "./history.ts";
import type { Tenant } from "./setup.ts";

export interface WorkloadOptions {
  readonly clients: number;
  readonly gatewayUrl: () => string;
  readonly giveUpMs: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

interface ClientState {
  readonly done: Operation[];
  readonly payouts: { id: string; accountId: string }[];
}

async function replay(performer: Performer, state: ClientState): Promise<void> {
  const op = pick(state.done);
  const first = performer.history.acknowledged.get(`${performer.tenant.platformId}:${op.key}`);
  const answer = await perform(performer, op, "replay");
  if (!answer) return;
  const amount = (op.variables["input"] as { amount?: string } | undefined)?.amount;
  const same =
    answer.ok &&
    answer.value["id"] === first?.id &&
    (amount === undefined || (answer.value["amount"] as { amount: string }).amount === amount);
  if (!same) {
    performer.history.violation("replay not the same object", `${op.kind} ${op.key}: first ${first?.id}, replay ${JSON.stringify(answer)}`);
  }
}

async function reuse(performer: Performer, state: ClientState): Promise<void> {
  const op = conflicting(pick(state.done));
  if (!op) return;
  const answer = await perform(performer, op, "reuse");
  if (answer && (answer.ok || answer.code !== "IDEMPOTENCY_KEY_REUSED")) {
    performer.history.violation("conflicting reuse not refused", `${op.kind} ${op.key}: ${JSON.stringify(answer)}`);
  }
}

async function duplicates(performer: Performer, op: Operation): Promise<void> {
  const answers = await Promise.all([1, 2, 3].map(() => perform(performer, op, "duplicate")));
  const ids = new Set(answers.flatMap((a) => (a?.ok ? [a.value["id"]] : [])));
  if (ids.size > 1) performer.history.violation("concurrent duplicates executed twice", `${op.kind} ${op.key}: ${[...ids].join(", ")}`);
}

async function step(performer: Performer, state: ClientState): Promise<void> {
  const tenant = performer.tenant;
  const roll = Math.random();
  let op: Operation;
  if (roll < 0.1 && state.done.length > 0) return replay(performer, state);
  if (roll < 0.15 && state.done.length > 0) return reuse(performer, state);
  if (roll < 0.2) return duplicates(performer, Math.random() < 0.5 ? transfer(tenant) : payout(tenant));
  if (roll < 0.3) op = topup(tenant);
  else if (roll < 0.6) op = transfer(tenant);
  else if (roll < 0.85 || state.payouts.length === 0) op = payout(tenant);
  else {
    const { id, accountId } = state.payouts.splice(Math.floor(Math.random() * state.payouts.length), 1)[0]!;
    op = cancel(id, accountId);
  }
  const answer = await perform(performer, op, "first");
  if (!answer?.ok) return;
  state.done.push(op);
  if (state.done.length > 50) state.done.shift();
  if (op.kind === "payout") {
    state.payouts.push({ id: answer.value["id"] as string, accountId: op.accountId });
    if (state.payouts.length > 10) state.payouts.shift();
  }
}

/** Runs the clients until `signal` aborts; each finishes its operation in flight. */
export async function runClients(tenants: Tenant[], history: History, options: WorkloadOptions, signal: AbortSignal): Promise<void> {
  await Promise.all(
    Array.from({ length: options.clients }, async (_, n) => {
      const tenant = tenants[n % tenants.length]!;
      const performer: Performer = {
        tenant,
        history,
        client: { url: options.gatewayUrl, key: tenant.secretKey, giveUpMs: options.giveUpMs },
      };
      const state: ClientState = { done: [], payouts: [] };
      while (!signal.aborted) await step(performer, state);
    }),
  );
}

/** Funds each platform before the clients start (top-ups settle after SETTLEMENT_DELAY_MS). */
export async function fund(tenants: Tenant[], history: History, options: WorkloadOptions): Promise<void> {
  for (const tenant of tenants) {
    const performer: Performer = {
      tenant,
      history,
      client: { url: options.gatewayUrl, key: tenant.secretKey, giveUpMs: options.giveUpMs },
    };
    const answer = await perform(performer, topup(tenant, "5000000"), "first");
    if (!answer?.ok) throw new Error(`funding failed: ${JSON.stringify(answer)}`);
  }
}
