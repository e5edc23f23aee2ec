// Group commit for transfers. A platform paying thousands of connected accounts is one hot
// balance row, and balance events must be numbered per account in commit order, so one account
// can commit only one transaction at a time. To keep throughput, the transfers that arrive for
// a platform while its previous commit is in flight wait for the next one and share it: up to
// MAX_BATCH transfers, each still its own idempotency key, refusal, ledger transaction, history
// rows and balance event. At low load a batch is one transfer and nothing waits.
//
// In each batch's transaction: read the destinations, lock the platform's balance rows and
// decide in order which transfers it can afford (the rest get INSUFFICIENT_FUNDS), complete the
// accepted keys, write the transfer rows, post the postings. Refused transfers release their
// keys. Per process: several processes each batch their own share.

import { principalScope, type PlatformPrincipal } from "../../shared/auth/principal.ts";
import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { inSqlTransaction } from "../../shared/db/transaction.ts";
import { AppError, notFound } from "../../shared/errors.ts";
import { Idempotency } from "../../shared/idempotency/idempotency.ts";
import { newId } from "../../shared/ids.ts";
import type { Money } from "../../shared/money/money.ts";
import { accountFactsOf } from "../../accounts/service/account-records.ts";
import { checkTransferDestination } from "../domain/money-movement.ts";
import { transferPosting } from "../domain/postings.ts";
import { post } from "../ledger/post.ts";
import { refusal } from "./refusal.ts";
import type { TransferRecord } from "./transfer-records.ts";

export const MAX_BATCH = 64;

export interface TransferRequest {
  readonly principal: PlatformPrincipal;
  readonly destinationAccountId: string;
  readonly money: Money;
  readonly description: string | undefined;
  readonly idempotencyKey: string;
  /** The claim on the idempotency key, taken before queueing. */
  readonly claimToken: string;
}

interface Queued {
  readonly request: TransferRequest;
  resolve(record: TransferRecord): void;
  reject(error: unknown): void;
}

/** What each transfer of a batch came to: done, or the error its caller gets. */
type Outcome = TransferRecord | Error;

export class TransferBatcher {
  private readonly queues = new Map<string, Queued[]>();

  constructor(private readonly deps: Dependencies) {}

  submit(request: TransferRequest): Promise<TransferRecord> {
    return new Promise((resolve, reject) => {
      const queueKey = principalScope(request.principal);
      const queue = this.queues.get(queueKey);
      if (queue) {
        queue.push({ request, resolve, reject });
        return;
      }
      this.queues.set(queueKey, [{ request, resolve, reject }]);
      void this.drain(queueKey);
    });
  }

  private async drain(queueKey: string): Promise<void> {
    const queue = this.queues.get(queueKey)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      let outcomes: Outcome[];
      try {
        outcomes = await inSqlTransaction(this.deps.db, (sql) => this.transact(sql, batch.map((item) => item.request)));
      } catch (error) {
        // The transaction as a whole failed (after its retries): every transfer in it did not happen.
        outcomes = batch.map(() => error as Error);
      }
      await Promise.all(
        batch.map(async (item, i) => {
          const outcome = outcomes[i];
          if (outcome && !(outcome instanceof Error)) return item.resolve(outcome);
          const { principal, idempotencyKey, claimToken } = item.request;
          await this.deps.idempotency.release({ scope: principalScope(principal), key: idempotencyKey }, claimToken);
          item.reject(outcome);
        }),
      );
    }
    this.queues.delete(queueKey);
  }

  private async transact(sql: SqlClient, requests: TransferRequest[]): Promise<Outcome[]> {
    const { principal } = requests[0]!;
    const scope = principalScope(principal);
    const outcomes: (Outcome | undefined)[] = requests.map(() => undefined);

    const destinations = await accountFactsOf(sql, principal, [...new Set(requests.map((r) => r.destinationAccountId))]);
    requests.forEach((request, i) => {
      const destination = destinations.get(request.destinationAccountId);
      const problem = destination ? checkTransferDestination(destination, request.money) : undefined;
      if (!destination) outcomes[i] = notFound("account", request.destinationAccountId);
      else if (problem) outcomes[i] = refusal(problem);
    });

    // Lock the platform's balances and spend them in arrival order.
    const currencies = [...new Set(requests.map((r) => r.money.currency))].sort();
    const available = await lockAvailable(sql, principal, currencies);
    requests.forEach((request, i) => {
      if (outcomes[i]) return;
      const left = available.get(request.money.currency) ?? 0n;
      if (left < request.money.amount) {
        outcomes[i] = new AppError("INSUFFICIENT_FUNDS", "Insufficient available funds for this operation");
      } else {
        available.set(request.money.currency, left - request.money.amount);
      }
    });

    const now = new Date();
    const accepted = requests.flatMap((request, i) => {
      if (outcomes[i]) return [];
      const record: TransferRecord = {
        id: newId("transfer"),
        sourceAccountId: principal.tenantId,
        destinationAccountId: request.destinationAccountId,
        amount: request.money.amount,
        currency: request.money.currency,
        description: request.description ?? null,
        balanceTransactionId: newId("balanceTransaction"),
        destinationBalanceTransactionId: newId("balanceTransaction"),
        createdAt: now,
      };
      return [{ i, request, record }];
    });

    const completed = await Idempotency.completeMany(
      sql,
      accepted.map(({ request, record }) => ({ scope, key: request.idempotencyKey, token: request.claimToken, response: { transferId: record.id } })),
    );
    const proceeding = accepted.filter(({ i, request }) => {
      if (completed.has(`${scope}\u0000${request.idempotencyKey}`)) return true;
      // The key's lease was taken over by a retry: that one will be the only execution.
      outcomes[i] = new AppError("IDEMPOTENCY_KEY_IN_USE", "This idempotency key is being used by another request");
      return false;
    });
    if (proceeding.length > 0) {
      await insertTransfers(sql, principal, proceeding.map((p) => p.record));
      await post(
        sql,
        principal,
        proceeding.map(({ record }) =>
          transferPosting({
            ledgerTransactionId: newId("ledgerTransaction"),
            transferId: record.id,
            platformId: principal.tenantId,
            destinationAccountId: record.destinationAccountId,
            amount: record.amount,
            currency: record.currency,
            sourceBalanceTransactionId: record.balanceTransactionId,
            destinationBalanceTransactionId: record.destinationBalanceTransactionId,
            at: record.createdAt,
            description: record.description ?? undefined,
          }),
        ),
      );
      for (const { i, record } of proceeding) outcomes[i] = record;
    }
    return outcomes.map((outcome) => outcome!);
  }
}

/** Locks the platform's AVAILABLE balances (in ledger account id order) and reads them. */
async function lockAvailable(sql: SqlClient, principal: PlatformPrincipal, currencies: string[]): Promise<Map<string, bigint>> {
  const rows = await sql.query<{ currency: string; balance: string }>(
    `SELECT la.currency, lb.balance::text AS balance
       FROM ledger_account la JOIN ledger_balance lb ON lb.ledger_account_id = la.id
      WHERE la.id = ANY(SELECT ledger_account_id($1, c, 'AVAILABLE', $2) FROM unnest($3::text[]) AS c)
      ORDER BY la.id
        FOR UPDATE OF lb`,
    [principal.tenantId, principal.livemode, currencies],
  );
  return new Map(rows.map((row) => [row.currency, BigInt(row.balance)]));
}

async function insertTransfers(sql: SqlClient, principal: PlatformPrincipal, records: TransferRecord[]): Promise<void> {
  await sql.query(
    `INSERT INTO transfer (id, tenant_id, livemode, source_account_id, destination_account_id, currency, amount, description,
                           balance_transaction_id, destination_balance_transaction_id, created_at)
     SELECT t.id, $2, $3, t.source, t.destination, t.currency, t.amount::numeric, t.description, t.bt, t.dbt, t.created_at::timestamptz
       FROM jsonb_to_recordset($1::jsonb)
         AS t(id text, source text, destination text, currency text, amount text, description text, bt text, dbt text, created_at text)`,
    [
      JSON.stringify(
        records.map((r) => ({
          id: r.id, source: r.sourceAccountId, destination: r.destinationAccountId, currency: r.currency, amount: r.amount.toString(),
          description: r.description, bt: r.balanceTransactionId, dbt: r.destinationBalanceTransactionId, created_at: r.createdAt.toISOString(),
        })),
      ),
      principal.tenantId,
      principal.livemode,
    ],
  );
}

const batchers = new WeakMap<Dependencies, TransferBatcher>();

/** One batcher per process (per set of dependencies). */
export function transferBatcher(deps: Dependencies): TransferBatcher {
  let batcher = batchers.get(deps);
  if (!batcher) {
    batcher = new TransferBatcher(deps);
    batchers.set(deps, batcher);
  }
  return batcher;
}
