// Group commit for transfers. Every ledger commit costs a WAL flush, and a platform paying
// thousands of connected accounts is one hot balance row whose events must be numbered in
// commit order, so one account can commit only one transaction at a time. To keep throughput,
// transfers that arrive while earlier ones are committing wait for the next commit and share
// it: up to MAX_BATCH transfers of any platforms, each still its own idempotency key, refusal,
// ledger transaction, history rows and balance events. At low load a batch is one transfer and
// nothing waits.
//
// In each batch's transaction: write the keys not used before, already completed (a transfer
// whose key exists goes back to its caller, which claims it the usual way: createTransfer), read
// the destinations, lock the platforms' balance rows (in ledger account id order) and decide in
// arrival order which transfers each can afford (the rest get INSUFFICIENT_FUNDS), complete the
// keys claimed before, delete the keys of refused transfers, write the transfer rows, post the
// postings in one ledger call. So a transfer with a new key costs no statement or commit of its
// own: its key commits with its money or not at all (Idempotency.insertCompleted). A transfer
// whose data no commit can hold (a bug, or input an edge check missed) fails alone: see commit().
// One per process (deps.balances.transfers, built by createDependencies): several processes each
// batch their own share. Stopping it lets the queued transfers commit first.

import { Counter, Histogram } from "prom-client";
import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { CoreDependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { commitSplittingOnFailure } from "../../shared/db/split-on-failure.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { AppError, notFound, serviceUnavailable, refused } from "../../shared/errors.ts";
import { Idempotency, idempotencyConflict } from "../../shared/idempotency/idempotency.ts";
import { newId, randomToken, type AccountId } from "../../shared/ids.ts";
import { processRegistry } from "../../shared/metrics.ts";
import type { Money } from "../../shared/money/money.ts";
import { accountFactsAcross } from "../../accounts/api.ts";
import { checkTransferDestination } from "../domain/money-movement.ts";
import { transferPosting } from "../domain/postings.ts";
import { lockAvailableBalances, postScoped } from "../../ledger/api.ts";
import { insertTransfers, type TransferRecord } from "../store/transfers.ts";

export const MAX_BATCH = 64;

const batchSize = new Histogram({
  name: "moneygraph_transfer_batch_size",
  help: "Transfers per group commit, as taken from the queue (before any bisection; replays included: their keys are found used there)",
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [processRegistry],
});

const bisections = new Counter({
  name: "moneygraph_transfer_batch_bisections_total",
  help: "Group commits whose transaction failed and were split in two to isolate the transfer at fault",
  registers: [processRegistry],
});

export interface TransferRequest {
  readonly principal: PlatformPrincipal;
  readonly destinationAccountId: AccountId;
  readonly money: Money;
  readonly description: string | undefined;
  readonly idempotencyKey: string;
  /**
   * How the key is held: `fingerprint` (of the request, as Idempotency.claim computes it) for a
   * key to write in the batch's transaction, the usual way; `claimToken` for a key claimed before
   * queueing (the way back for a key found used).
   */
  readonly key: { readonly fingerprint: string } | { readonly claimToken: string };
}

/** The answer to a transfer whose new key was found used: claim it (Idempotency.claim) instead. */
export const KEY_TAKEN = Symbol("key taken");
export type KeyTaken = typeof KEY_TAKEN;

interface Queued {
  readonly request: TransferRequest;
  resolve(record: TransferRecord | KeyTaken): void;
  reject(error: unknown): void;
}

/** What each transfer of a batch came to: done, its key found used, or the error its caller gets. */
type Outcome = TransferRecord | KeyTaken | Error;

const claimTokenOf = (request: TransferRequest) => ("claimToken" in request.key ? request.key.claimToken : undefined);

export class TransferBatcher {
  private readonly queue: Queued[] = [];
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: Pick<CoreDependencies, "db" | "idempotency">) {}

  submit(request: TransferRequest): Promise<TransferRecord | KeyTaken> {
    if (this.stopped) return this.refuseStopped(request);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Takes no more transfers and resolves once every queued one has committed or failed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.draining;
  }

  /** After stop (the process is shutting down): nothing ran, the key is free for a retry. */
  private async refuseStopped(request: TransferRequest): Promise<never> {
    await this.release(request);
    throw serviceUnavailable();
  }

  /** Frees a key claimed before queueing whose transfer did not happen (a new key was never written). */
  private async release(request: TransferRequest): Promise<void> {
    const claimToken = claimTokenOf(request);
    if (claimToken === undefined) return;
    await this.deps.idempotency.release({ scope: principalScope(request.principal), key: request.idempotencyKey }, claimToken);
  }

  /**
   * Commits the batch; if its transaction fails (after its retries) for something in the data,
   * splits it so that a transfer no commit can hold fails alone and the others go through
   * (shared/db/split-on-failure.ts).
   */
  private commit(requests: readonly TransferRequest[]): Promise<Outcome[]> {
    return commitSplittingOnFailure(
      requests,
      (part) => inTransaction(this.deps.db, (sql) => transact(sql, part)),
      () => bisections.inc(),
    );
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        // A turn of the event loop before each batch is taken: the callers the previous batch
        // just answered, and whoever arrives with them, join this one. Taken at once, the batch
        // would hold only the transfers queued while the previous one committed, and callers
        // sending one transfer after another settle into cohorts that take turns: 32 callers in
        // two of 16 (a mean batch size of exactly 16.0), twice the commits for the same
        // transfers and each caller waiting for the other cohort's commit before its own.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.queue.length === 0) break;
        const batch = this.queue.splice(0, MAX_BATCH);
        batchSize.observe(batch.length);
        const outcomes = await this.commit(batch.map((item) => item.request));
        await Promise.all(
          batch.map(async (item, i) => {
            const outcome = outcomes[i];
            const claimToken = claimTokenOf(item.request);
            if (outcome && !(outcome instanceof Error)) {
              if (claimToken !== undefined) this.deps.idempotency.finished(claimToken);
              return item.resolve(outcome);
            }
            // Counted here, once, not in transact(): a bisected batch runs that again.
            if (outcome instanceof AppError && outcome.code === "IDEMPOTENCY_KEY_IN_USE")
              idempotencyConflict("createTransfer", outcome.code);
            await this.release(item.request);
            item.reject(outcome);
          }),
        );
      }
    } finally {
      this.draining = undefined;
    }
  }
}

async function transact(sql: SqlClient, requests: readonly TransferRequest[]): Promise<Outcome[]> {
  const outcomes: (Outcome | undefined)[] = requests.map(() => undefined);
  const now = new Date();
  // Made first: a new key is written with its result, the transfer's id.
  const records = requests.map((request): TransferRecord => ({
    id: newId("transfer"),
    sourceAccountId: request.principal.tenantId,
    destinationAccountId: request.destinationAccountId,
    amount: request.money.amount,
    currency: request.money.currency,
    description: request.description ?? null,
    balanceTransactionId: newId("balanceTransaction"),
    destinationBalanceTransactionId: newId("balanceTransaction"),
    createdAt: now,
  }));

  const fresh = requests.flatMap((request, i) =>
    "fingerprint" in request.key
      ? [
          {
            i,
            scope: principalScope(request.principal),
            key: request.idempotencyKey,
            operation: "createTransfer",
            fingerprint: request.key.fingerprint,
            token: randomToken(24),
            response: { transferId: records[i]!.id },
          },
        ]
      : [],
  );
  // Three statements in one round trip (issued together: SqlClient.query), in this order: the new
  // keys, before any lock (see Idempotency.insertCompleted); the destinations, share-locked; the
  // platforms' balances, locked for update. The last two are read for every transfer of the batch,
  // a taken key's too (one more share lock, a balance locked that its platform's other transfers
  // mostly lock anyway): waiting for the keys' answer first would cost a round trip per batch.
  const [written, destinations, available] = await Promise.all([
    Idempotency.insertCompleted(sql, fresh, now),
    accountFactsAcross(
      sql,
      requests.map((request) => ({ scope: request.principal, accountId: request.destinationAccountId })),
    ),
    lockAvailable(
      sql,
      requests.map((r) => ({ principal: r.principal, currency: r.money.currency })),
    ),
  ]);
  for (const key of fresh) if (!written.has(key.token)) outcomes[key.i] = KEY_TAKEN;
  requests.forEach((request, i) => {
    if (outcomes[i]) return;
    const destination = destinations[i];
    const problem = destination ? checkTransferDestination(destination, request.money) : undefined;
    if (!destination) outcomes[i] = notFound("account", request.destinationAccountId);
    else if (problem) outcomes[i] = refused(problem);
  });

  // Spend the platforms' balances in arrival order.
  requests.forEach((request, i) => {
    if (outcomes[i]) return;
    const balance = balanceKey(request.principal.tenantId, request.principal.livemode, request.money.currency);
    const left = available.get(balance) ?? 0n;
    if (left < request.money.amount) {
      outcomes[i] = new AppError("INSUFFICIENT_FUNDS", "Insufficient available funds for this operation");
    } else {
      available.set(balance, left - request.money.amount);
    }
  });

  // Keys claimed before queueing are completed now, if their claims still hold.
  const claimed = requests.flatMap((request, i) => {
    const token = claimTokenOf(request);
    return token !== undefined && !outcomes[i] ? [{ i, request, token }] : [];
  });
  const completed = await Idempotency.completeMany(
    sql,
    claimed.map(({ i, request, token }) => ({
      scope: principalScope(request.principal),
      key: request.idempotencyKey,
      token,
      response: { transferId: records[i]!.id },
    })),
  );
  for (const { i, request } of claimed) {
    if (completed.has(`${principalScope(request.principal)}\u0000${request.idempotencyKey}`)) continue;
    // The key's lease was taken over by a retry: that one will be the only execution.
    outcomes[i] = new AppError("IDEMPOTENCY_KEY_IN_USE", "This idempotency key is being used by another request");
  }
  // The rest in one round trip with COMMIT (commitAfter): a refused transfer's new key deleted
  // (left unused, for a corrected retry), the transfer rows, the postings. Should one of them
  // fail, nothing commits and the batch's transaction throws its error.
  const proceeding = requests.flatMap((request, i) => (outcomes[i] ? [] : [{ i, request, record: records[i]! }]));
  const writes = Promise.all([
    Idempotency.discard(
      sql,
      fresh.filter((key) => written.has(key.token) && outcomes[key.i] instanceof Error),
    ),
    insertTransfers(
      sql,
      proceeding.map(({ request, record }) => ({ scope: request.principal, record })),
    ),
    postScoped(
      sql,
      proceeding.map(({ request, record }) => ({
        scope: request.principal,
        posting: transferPosting({
          ledgerTransactionId: newId("ledgerTransaction"),
          transferId: record.id,
          platformId: request.principal.tenantId,
          destinationAccountId: record.destinationAccountId,
          amount: record.amount,
          currency: record.currency,
          sourceBalanceTransactionId: record.balanceTransactionId,
          destinationBalanceTransactionId: record.destinationBalanceTransactionId,
          at: record.createdAt,
          description: record.description ?? undefined,
        }),
      })),
    ),
  ]);
  if (sql.commitAfter) sql.commitAfter(writes);
  else await writes;
  for (const { i, record } of proceeding) outcomes[i] = record;
  return outcomes.map((outcome) => outcome!);
}

/** A platform's balance in one currency and mode, as lockAvailable keys it. */
const balanceKey = (tenantId: AccountId, livemode: boolean, currency: string) => `${tenantId}\u0000${livemode}\u0000${currency}`;

/** Locks the platforms' AVAILABLE balances (in ledger account id order) and reads them. */
async function lockAvailable(
  sql: SqlClient,
  wanted: readonly { principal: PlatformPrincipal; currency: string }[],
): Promise<Map<string, bigint>> {
  const rows = await lockAvailableBalances(
    sql,
    wanted.map((w) => ({ accountId: w.principal.tenantId, currency: w.currency, livemode: w.principal.livemode })),
  );
  return new Map(rows.map((row) => [balanceKey(row.accountId, row.livemode, row.currency), row.balance]));
}
