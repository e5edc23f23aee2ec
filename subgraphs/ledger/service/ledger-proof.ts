// What a partner keeps as a receipt of an account's history in one currency: the head of each of
// its customer balances' hash chains now, and the latest checkpoint with those heads as it
// recorded them. Part of the ledger module's public API (the balances subgraph serves it as
// Account.ledgerProof). How a receipt is checked later: docs/ledger.md, "A history no one can
// rewrite unnoticed".

import type { SqlClient } from "../../shared/db/database.ts";
import type { AccountId, Id } from "../../shared/ids.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { GENESIS_HASH } from "../domain/chain.ts";
import type { CustomerKind } from "../domain/ledger.ts";
import type { BalanceScope } from "../store/balances.ts";
import { currentHeads, customerLedgerAccounts, latestCheckpoint, recordedHeads, type ChainHeadRow } from "../store/checkpoints.ts";

const PROOF_KINDS: readonly CustomerKind[] = ["AVAILABLE", "PENDING", "HELD"];

export interface ChainHead {
  readonly kind: CustomerKind;
  /** The head entry's hash; the genesis hash (32 zero bytes) for a chain with no entry yet. */
  readonly hash: Buffer;
  /** When the head entry was applied; null for a chain with no entry. */
  readonly appliedAt: Date | null;
}

export interface LedgerProof {
  readonly accountId: AccountId;
  readonly currency: Currency;
  /** AVAILABLE, PENDING and HELD, in that order. */
  readonly heads: readonly ChainHead[];
  readonly checkpoint: {
    readonly id: Id<"ledgerCheckpoint">;
    readonly seq: bigint;
    readonly createdAt: Date;
    readonly digest: Buffer;
    /** The heads of this account's chains as recorded at or before it (chains it never recorded are absent). */
    readonly heads: readonly ChainHead[];
  } | null;
}

/** The account's proof in its scope (the caller checked the account is visible to it). */
export async function readLedgerProof(sql: SqlClient, scope: BalanceScope, accountId: AccountId, currency: Currency): Promise<LedgerProof> {
  const accounts = await customerLedgerAccounts(sql, scope, accountId, currency);
  const kindOf = new Map(accounts.map((account) => [account.id, account.kind]));
  const ids = accounts.map((account) => account.id);
  const byKind = (rows: readonly ChainHeadRow[]) => new Map(rows.map((row) => [kindOf.get(row.ledgerAccountId)!, row]));
  const current = byKind(await currentHeads(sql, ids));
  const checkpoint = await latestCheckpoint(sql);
  const recorded = checkpoint ? byKind(await recordedHeads(sql, ids, checkpoint.seq)) : new Map<CustomerKind, ChainHeadRow>();
  return {
    accountId,
    currency,
    heads: PROOF_KINDS.map((kind) => {
      const head = current.get(kind);
      return { kind, hash: head?.hash ?? GENESIS_HASH, appliedAt: head?.appliedAt ?? null };
    }),
    checkpoint: checkpoint && {
      id: checkpoint.id,
      seq: checkpoint.seq,
      createdAt: checkpoint.createdAt,
      digest: checkpoint.digest,
      heads: PROOF_KINDS.flatMap((kind) => {
        const head = recorded.get(kind);
        return head ? [{ kind, hash: head.hash, appliedAt: head.appliedAt }] : [];
      }),
    },
  };
}
