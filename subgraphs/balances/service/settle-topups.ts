// Settles due top-ups: pending to available. The state lives in the database (a PENDING topup
// with settles_at), so a top-up that fell due while no process ran settles when one comes back.
// Several workers may run: each claims a batch with FOR UPDATE SKIP LOCKED, so none is settled
// twice and none waits on another. A top-up no step can settle (bad data) fails its batch with a
// StepError naming it, and the worker (shared/worker.ts) then settles the batch one by one and
// postpones that one: it never holds up every tenant's settlements behind it.

import type { Dependencies } from "../../shared/context.ts";
import { inTransaction } from "../../shared/db/transaction.ts";
import { newId } from "../../shared/ids.ts";
import { parseCurrency } from "../../shared/money/currency.ts";
import { settlementPosting } from "../domain/postings.ts";
import { markAvailable, postScoped, type Posting, type ScopedPosting } from "../../ledger/api.ts";
import { naming } from "../../shared/worker.ts";
import { claimDueTopups, markSettled, postponeSettlement, type DueTopup } from "../store/topups.ts";

/** Settles up to `limit` due top-ups in one transaction; returns how many. */
export async function settleDueTopups(deps: Dependencies, now = new Date(), limit = 200): Promise<number> {
  return inTransaction(deps.db, async (sql) => {
    const due = await claimDueTopups(sql, now, limit);
    if (due.length === 0) return 0;
    const postings: ScopedPosting[] = [];
    for (const topup of due) {
      postings.push({ scope: topup.scope, posting: await naming([topup.id], async () => postingFor(topup)) });
    }
    // One ledger call for all of them, whatever their tenants: one statement, locks in one order.
    await naming(
      due.map((topup) => topup.id),
      async () => {
        await postScoped(sql, postings);
        await markSettled(
          sql,
          due.map((topup) => topup.id),
          now,
        );
        await markAvailable(
          sql,
          due.map((topup) => topup.balanceTransactionId),
        );
      },
    );
    return due.length;
  });
}

function postingFor(topup: DueTopup): Posting {
  const currency = parseCurrency(topup.currency);
  if (!currency) throw new Error(`top-up ${topup.id} has an unknown currency`);
  return settlementPosting({
    ledgerTransactionId: newId("ledgerTransaction"),
    topupId: topup.id,
    accountId: topup.accountId,
    amount: topup.amount,
    currency,
    balanceTransactionId: topup.balanceTransactionId,
  });
}

/** Moves a due top-up's settlement out (its step failed), without changing anything else. */
export async function postponeTopup(deps: Dependencies, topupId: string, until: Date): Promise<void> {
  await postponeSettlement(deps.db.sql, topupId, until);
}
