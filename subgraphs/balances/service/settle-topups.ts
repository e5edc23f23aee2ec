// Settles due top-ups: pending to available. The state lives in the database (a PENDING topup
// with settles_at), so a top-up that fell due while no process ran settles when one comes back.
// Several workers may run: each claims a batch with FOR UPDATE SKIP LOCKED, so none is settled
// twice and none waits on another. A top-up no step can settle (bad data) fails its batch with a
// StepError naming it, and the worker (shared/worker.ts) then settles the batch one by one and
// postpones that one: it never holds up every tenant's settlements behind it.

import type { Dependencies } from "../../shared/context.ts";
import type { SqlClient } from "../../shared/db/database.ts";
import { inSqlTransaction } from "../../shared/db/transaction.ts";
import { newId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { settlementPosting } from "../domain/postings.ts";
import { type Posting, postScoped, type ScopedPosting } from "../../ledger/api.ts";
import { naming } from "../../shared/worker.ts";

interface DueTopup {
  id: string;
  tenant_id: string;
  livemode: boolean;
  account_id: string;
  currency: string;
  amount: string;
  balance_transaction_id: string;
}

/** Settles up to `limit` due top-ups in one transaction; returns how many. */
export async function settleDueTopups(deps: Dependencies, now = new Date(), limit = 200): Promise<number> {
  return inSqlTransaction(deps.db, async (sql) => {
    const due = await sql.query<DueTopup>(
      `SELECT id, tenant_id, livemode, account_id, currency, amount::text AS amount, balance_transaction_id
         FROM topup
        WHERE status = 'PENDING' AND settles_at <= $1
        ORDER BY settles_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    if (due.length === 0) return 0;
    const postings: ScopedPosting[] = [];
    for (const topup of due) {
      postings.push({ scope: { tenantId: topup.tenant_id, livemode: topup.livemode }, posting: await naming([topup.id], async () => postingFor(topup)) });
    }
    // One ledger call for all of them, whatever their tenants: one statement, locks in one order.
    await naming(due.map((topup) => topup.id), async () => {
      await postScoped(sql, postings);
      await markSettled(sql, due, now);
    });
    return due.length;
  });
}

function postingFor(topup: DueTopup): Posting {
  const currency = parseCurrency(topup.currency);
  if (!currency) throw new Error(`top-up ${topup.id} has an unknown currency`);
  return settlementPosting({
    ledgerTransactionId: newId("ledgerTransaction"),
    topupId: topup.id,
    accountId: topup.account_id,
    amount: BigInt(topup.amount),
    currency,
    balanceTransactionId: topup.balance_transaction_id,
  });
}

async function markSettled(sql: SqlClient, due: DueTopup[], now: Date): Promise<void> {
  await sql.query(`UPDATE topup SET status = 'SUCCEEDED', settled_at = $2 WHERE id = ANY($1::varchar[])`, [due.map((t) => t.id), now]);
  await sql.query(`UPDATE balance_transaction SET status = 'AVAILABLE' WHERE id = ANY($1::varchar[])`, [due.map((t) => t.balance_transaction_id)]);
}

/** Moves a due top-up's settlement out (its step failed), without changing anything else. */
export async function postponeTopup(deps: Dependencies, topupId: string, until: Date): Promise<void> {
  await deps.db.sql.query(`UPDATE topup SET settles_at = $2 WHERE id = $1 AND status = 'PENDING'`, [topupId, until]);
}
