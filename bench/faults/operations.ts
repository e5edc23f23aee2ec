// The bank's operations through the gateway, each sent until its answer is definite and
// recorded: top-ups of the platform, transfers to its connected accounts, payouts (to paid and
// to failing bank accounts) and cancels of them.

import { randomUUID } from "node:crypto";
import { untilDefinite, type ClientOptions, type Definite } from "./client.ts";
import type { Acknowledged, History, OperationKind, Usage } from "./history.ts";
import type { Tenant } from "./setup.ts";

export interface Operation {
  readonly kind: OperationKind;
  readonly field: string;
  readonly query: string;
  readonly key: string;
  readonly variables: Record<string, unknown>;
  /** Transfers and payouts: the connected account; cancels: the payout's account. */
  readonly accountId: string;
  readonly failingDestination?: boolean;
}

const QUERIES: Record<OperationKind, { field: string; query: string }> = {
  topup: {
    field: "createTopup",
    query:
      "mutation($key: String!, $input: CreateTopupInput!) { createTopup(idempotencyKey: $key, input: $input) { id amount { amount } } }",
  },
  transfer: {
    field: "createTransfer",
    query:
      "mutation($key: String!, $input: CreateTransferInput!) { createTransfer(idempotencyKey: $key, input: $input) { id amount { amount } } }",
  },
  payout: {
    field: "createPayout",
    query:
      "mutation($key: String!, $input: CreatePayoutInput!) { createPayout(idempotencyKey: $key, input: $input) { id amount { amount } fee { amount } status } }",
  },
  cancel: {
    field: "cancelPayout",
    query: "mutation($key: String!, $id: ID!) { cancelPayout(idempotencyKey: $key, id: $id) { id status } }",
  },
};

const between = (low: number, high: number) => String(low + Math.floor(Math.random() * (high - low + 1)));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function operation(kind: OperationKind, variables: Record<string, unknown>, accountId: string, failingDestination?: boolean): Operation {
  return {
    kind,
    ...QUERIES[kind],
    key: randomUUID(),
    variables,
    accountId,
    ...(failingDestination === undefined ? {} : { failingDestination }),
  };
}

export function topup(tenant: Tenant, amount = between(50_000, 500_000)): Operation {
  return operation("topup", { input: { accountId: tenant.platformId, amount, currency: "USD" } }, tenant.platformId);
}

export function transfer(tenant: Tenant): Operation {
  const to = pick(tenant.connected);
  return operation("transfer", { input: { destinationAccountId: to.id, amount: between(1_000, 20_000), currency: "USD" } }, to.id);
}

export function payout(tenant: Tenant): Operation {
  const from = pick(tenant.connected);
  const failing = Math.random() < 0.3;
  const input = {
    accountId: from.id,
    amount: between(100, 5_000),
    currency: "USD",
    method: Math.random() < 0.3 ? "INSTANT" : "STANDARD",
    destinationId: failing ? from.failingBankAccount : from.paidBankAccount,
  };
  return operation("payout", { input }, from.id, failing);
}

export function cancel(payoutId: string, accountId: string): Operation {
  return operation("cancel", { id: payoutId }, accountId);
}

/** The same key with other parameters (one more minor unit); cancels have none to change. */
export function conflicting(op: Operation): Operation | undefined {
  const variables = structuredClone(op.variables) as { input?: { amount: string } };
  if (!variables.input) return undefined;
  variables.input.amount = String(BigInt(variables.input.amount) + 1n);
  return { ...op, variables };
}

export interface Performer {
  readonly tenant: Tenant;
  readonly client: ClientOptions;
  readonly history: History;
}

/** Sends `op` until definite, records it, and acknowledges what succeeded. */
export async function perform(performer: Performer, op: Operation, usage: Usage): Promise<Definite | undefined> {
  const { tenant, history } = performer;
  const startedAt = performance.now();
  const answered = await untilDefinite(performer.client, op.field, op.query, { key: op.key, ...op.variables });
  const definite = history.record({
    kind: op.kind,
    usage,
    tenant: tenant.platformId,
    key: op.key,
    startedAt,
    endedAt: performance.now(),
    answered,
  });
  if (definite?.ok && usage !== "reuse") {
    const value = definite.value as { id: string; amount?: { amount: string }; fee?: { amount: string } };
    const moved = op.kind === "cancel" ? 0n : BigInt(value.amount!.amount) + BigInt(value.fee?.amount ?? "0");
    const ack: Acknowledged = {
      kind: op.kind,
      tenant: tenant.platformId,
      key: op.key,
      variables: op.variables,
      id: value.id,
      debitOrCredit: moved,
      accountId: op.accountId,
      ...(op.failingDestination === undefined ? {} : { failingDestination: op.failingDestination }),
    };
    history.acknowledge(ack);
  }
  return definite;
}
